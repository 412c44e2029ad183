/**
 * Report photos (DESIGN 3.3): JPEG, PNG or WebP up to 8 MB, the type checked from the bytes (never from the name or
 * the declared type), re-encoded with sharp — upright by the EXIF orientation, then without any metadata (EXIF with
 * its GPS position, XMP, IPTC, ICC: sharp writes none unless asked) — within 2560 px, with a 320 px JPEG thumbnail.
 * Served only to the people who may see the report.
 */
import type { Knex } from 'knex';
import sharp from 'sharp';
import { findPhoto } from '../data/photos.js';
import type { SessionUser } from '../data/users.js';
import { AppError, notFound } from '../http/errors.js';
import { visibleReport, type ProcessedPhoto } from './reports.js';

export const PHOTO_MAX_BYTES = 8 * 1024 * 1024;
export const PHOTO_MAX_SIDE = 2560;
export const THUMBNAIL_SIDE = 320;
/** Decoding bombs: a small file that claims a huge canvas is refused before it is decoded (50 megapixels). */
const MAX_INPUT_PIXELS = 50_000_000;

export type PhotoMime = 'image/jpeg' | 'image/png' | 'image/webp';

/** Reasons a photo is refused, matched by tests and the UI. */
export const PHOTO_REASONS = {
  type: 'la photo doit être une image JPEG, PNG ou WebP (type vérifié sur le contenu du fichier)',
  unreadable: 'image illisible ou corrompue',
  tooLarge: `la photo dépasse ${PHOTO_MAX_BYTES / 1024 / 1024} Mo`,
  tooManyPixels: `image trop grande (plus de ${MAX_INPUT_PIXELS / 1_000_000} mégapixels)`,
} as const;

/**
 * The image type from the file's first bytes (magic numbers), or null.
 * @example detectImageType(Buffer.from([0xff, 0xd8, 0xff, 0xe0])) // 'image/jpeg'
 */
export function detectImageType(bytes: Uint8Array): PhotoMime | null {
  const b = bytes;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) return 'image/png';
  const ascii = (from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
  if (b.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  return null;
}

const photoError = (status: 413 | 415 | 422, message: string) =>
  new AppError(status, status === 413 ? 'payload_too_large' : 'invalid_photo', `Photo refusée : ${message}`, [{ field: 'photo', message }]);

/** Photo too large: 413 naming the field. */
export const photoTooLarge = () => photoError(413, PHOTO_REASONS.tooLarge);

/**
 * Checks and re-encodes an uploaded photo: same format out as in (JPEG quality 82, WebP 80, PNG), upright, no
 * metadata, at most 2560 px on its longest side; thumbnail 320 px JPEG on white.
 * Throws 415 (not an image of an accepted type), 413 (too large) or 422 (unreadable).
 */
export async function processPhoto(bytes: Buffer): Promise<ProcessedPhoto> {
  if (bytes.length > PHOTO_MAX_BYTES) throw photoTooLarge();
  const mime = detectImageType(bytes);
  if (!mime) throw photoError(415, PHOTO_REASONS.type);
  const input = () => sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error', animated: false });
  try {
    const meta = await input().metadata();
    const expected = { 'image/jpeg': 'jpeg', 'image/png': 'png', 'image/webp': 'webp' }[mime];
    if (meta.format !== expected) throw photoError(415, PHOTO_REASONS.type);
    const upright = input().autoOrient();
    const bounded = upright.resize({ width: PHOTO_MAX_SIDE, height: PHOTO_MAX_SIDE, fit: 'inside', withoutEnlargement: true });
    const encoded = mime === 'image/jpeg' ? bounded.jpeg({ quality: 82, mozjpeg: true })
      : mime === 'image/webp' ? bounded.webp({ quality: 80 })
        : bounded.png({ compressionLevel: 8 });
    const [{ data, info }, thumbnail] = await Promise.all([
      encoded.toBuffer({ resolveWithObject: true }),
      input().autoOrient().resize({ width: THUMBNAIL_SIDE, height: THUMBNAIL_SIDE, fit: 'inside', withoutEnlargement: true })
        .flatten({ background: '#ffffff' }).jpeg({ quality: 75, mozjpeg: true }).toBuffer(),
    ]);
    return { mime, data, thumbnail, width: info.width, height: info.height };
  } catch (err) {
    if (err instanceof AppError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    if (/pixel limit/i.test(message)) throw photoError(422, PHOTO_REASONS.tooManyPixels);
    throw photoError(422, PHOTO_REASONS.unreadable);
  }
}

/** The bytes of a photo (or its thumbnail) of a report the user may see; 404 otherwise, whoever asks. */
export async function photoFor(knex: Knex, user: SessionUser, reportId: number, photoId: number, thumbnail: boolean): Promise<{ mime: string; data: Buffer }> {
  await visibleReport(knex, user, reportId);
  const photo = await findPhoto(knex, reportId, photoId);
  if (!photo) throw notFound(`Photo ${photoId} du signalement ${reportId}`);
  return thumbnail ? { mime: 'image/jpeg', data: photo.thumbnail } : { mime: photo.mime, data: photo.data };
}
