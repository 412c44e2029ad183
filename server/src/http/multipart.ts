import type { RequestHandler } from 'express';
import multer from 'multer';
import { PHOTO_MAX_BYTES, PHOTO_REASONS } from '../domain/photos.js';
import { AppError, photoError } from './errors.js';
import { assertNoNul } from './input.js';

const upload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: PHOTO_MAX_BYTES, files: 1, fields: 20, fieldSize: 16 * 1024, parts: 21 },
}).single('photo');

/**
 * `multipart/form-data` with at most one file, in the field `photo` (≤ PHOTO_MAX_BYTES, kept in memory): its errors become
 * 400/413 answers naming the field, and so is a NUL byte in a text field. Other content types pass through untouched.
 */
export const photoUpload: RequestHandler = (req, res, next) => {
  upload(req, res, (err: unknown) => {
    if (!err) {
      try { assertNoNul({ body: req.body as unknown }); } catch (nul) { return next(nul); }
      return next();
    }
    if (err instanceof multer.MulterError) {
      if (err.code === 'LIMIT_FILE_SIZE') return next(photoError(413, PHOTO_REASONS.tooLarge));
      if (err.code === 'LIMIT_UNEXPECTED_FILE' || err.code === 'LIMIT_FILE_COUNT') {
        return next(new AppError(400, 'invalid_input', 'Une seule photo, dans le champ « photo »', [{ field: err.field ?? 'photo', message: 'fichier inattendu : une seule photo, champ « photo »' }]));
      }
      return next(new AppError(400, 'invalid_input', `Formulaire invalide (${err.message})`, [{ field: err.field ?? null, message: err.message }]));
    }
    // busboy: malformed multipart body (missing boundary, truncated part…)
    if (err instanceof Error && !(err instanceof AppError)) return next(new AppError(400, 'invalid_input', `Formulaire multipart invalide : ${err.message}`));
    next(err);
  });
};

/**
 * Form fields (all strings) of a report, typed like the JSON body: numbers for lon/lat, a boolean for urgent, null for
 * an empty urgency criterion. Values that do not convert are left as they are, for the schema to name them.
 */
export function reportFieldsFromForm(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...fields };
  for (const k of ['lon', 'lat'] as const) {
    const v = fields[k];
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) out[k] = Number(v);
  }
  const urgent = fields.urgent;
  if (typeof urgent === 'string') {
    const v = urgent.trim().toLowerCase();
    if (['true', '1', 'on', 'oui', 'yes'].includes(v)) out.urgent = true;
    else if (['false', '0', 'off', 'non', 'no', ''].includes(v)) out.urgent = false;
  }
  if (fields.urgencyCriterion === '') out.urgencyCriterion = null;
  return out;
}
