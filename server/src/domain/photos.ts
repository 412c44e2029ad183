/**
 * Report photos' limits (DESIGN 3.3), read by the server's checks, the multipart parser and the browser's form, so
 * that the form tells the limit before an upload and agrees with the server.
 */

/** Accepted image types (the server checks them from the bytes, never from the name or the declared type). */
export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type PhotoMime = (typeof PHOTO_TYPES)[number];

/** Largest upload: 8 MB. */
export const PHOTO_MAX_BYTES = 8 * 1024 * 1024;
/** Decoding bombs: a small file that claims a huge canvas is refused before it is decoded (50 megapixels). */
export const PHOTO_MAX_PIXELS = 50_000_000;
/** Longest side of a stored photo, in pixels (larger ones are scaled down). */
export const PHOTO_MAX_SIDE = 2560;
/** Longest side of a thumbnail, in pixels. */
export const THUMBNAIL_SIDE = 320;

/** The upload limit in whole megabytes, as the messages say it. */
export const PHOTO_MAX_MB = PHOTO_MAX_BYTES / 1024 / 1024;

/** Reasons a photo is refused, matched by tests and the UI. */
export const PHOTO_REASONS = {
  type: 'la photo doit être une image JPEG, PNG ou WebP (type vérifié sur le contenu du fichier)',
  unreadable: 'image illisible ou corrompue',
  tooLarge: `la photo dépasse ${PHOTO_MAX_MB} Mo`,
  tooManyPixels: `image trop grande (plus de ${PHOTO_MAX_PIXELS / 1_000_000} mégapixels)`,
} as const;

/**
 * What is wrong with a chosen file before it is sent (declared type and size), or null: the browser's early answer;
 * the server still checks the bytes.
 * @example photoFileProblem({ type: 'image/gif', size: 10 }) // 'type'
 * @example photoFileProblem({ type: 'image/jpeg', size: PHOTO_MAX_BYTES + 1 }) // 'tooLarge'
 */
export function photoFileProblem(file: { type: string; size: number }): 'type' | 'tooLarge' | null {
  if (!(PHOTO_TYPES as readonly string[]).includes(file.type)) return 'type';
  if (file.size > PHOTO_MAX_BYTES) return 'tooLarge';
  return null;
}

/**
 * The image type from the file's first bytes (magic numbers), or null.
 * @example detectImageType(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0])) // 'image/jpeg'
 */
export function detectImageType(bytes: Uint8Array): PhotoMime | null {
  const b = bytes;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) return 'image/png';
  const ascii = (from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
  if (b.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  return null;
}
