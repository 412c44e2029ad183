/**
 * Report photos (DESIGN 3.3, limits in domain/photos.ts): JPEG, PNG or WebP up to 8 MB, the type checked from the bytes (never from the name or
 * the declared type), re-encoded with sharp — upright by the EXIF orientation, then without any metadata (EXIF with
 * its GPS position, XMP, IPTC, ICC: sharp writes none unless asked) — within 2560 px, with a 320 px JPEG thumbnail.
 * Served only to the people who may see the report.
 */
import type { Knex } from 'knex';
import sharp from 'sharp';
import { findPhoto } from '../data/photos.js';
import type { SessionUser } from '../data/users.js';
import { detectImageType, type PhotoMime, PHOTO_MAX_BYTES, PHOTO_MAX_PIXELS, PHOTO_MAX_SIDE, PHOTO_REASONS, THUMBNAIL_SIDE } from '../domain/photos.js';
import { AppError, notFound, photoError } from '../http/errors.js';
import type { WorkSlots } from '../http/work-slots.js';
import { visibleReport, type ProcessedPhoto } from './reports.js';

/**
 * Checks and re-encodes an uploaded photo: same format out as in (JPEG quality 82, WebP 80, PNG), upright, no
 * metadata, at most 2560 px on its longest side; thumbnail 320 px JPEG on white. Decoded in one of the process's photo
 * slots (`slots`, the app's `photos`: a few at a time, the next ones wait their turn, beyond the queue a 503).
 * Throws 415 (not an image of an accepted type), 413 (too large), 422 (unreadable) or 503 (too many photos at once).
 */
export async function processPhoto(slots: WorkSlots, userId: number, bytes: Buffer): Promise<ProcessedPhoto> {
  if (bytes.length > PHOTO_MAX_BYTES) throw photoError(413, PHOTO_REASONS.tooLarge);
  const mime = detectImageType(bytes);
  if (!mime) throw photoError(415, PHOTO_REASONS.type);
  return slots.run(userId, () => reencode(bytes, mime));
}

async function reencode(bytes: Buffer, mime: PhotoMime): Promise<ProcessedPhoto> {
  const input = () => sharp(bytes, { limitInputPixels: PHOTO_MAX_PIXELS, failOn: 'error', animated: false });
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
