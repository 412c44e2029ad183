import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RequestHandler } from 'express';
import multer from 'multer';
import { AppError } from './errors.js';

/** Largest file accepted by the browser import (a commune's cadastre is a few MB; a département's owners file ~100 MB). */
export const IMPORT_MAX_BYTES = 200 * 1024 * 1024;
export const IMPORT_MAX_FILES = 20;
/** File names kept as sent (the import recognises a cadastre by its name): letters, digits, space, `._()-`; busboy already drops any path. */
const SAFE_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._()-]{0,200}$/u;
/** Longest name in bytes (UTF-8): file systems hold 255, and an error of the disk would name the server's folder. */
const NAME_MAX_BYTES = 200;

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The temporary folder of an import upload (removed by whoever imports it, or on error). */
      importDir?: string;
    }
  }
}

const upload = multer({
  storage: multer.diskStorage({
    destination: (req, _file, cb) => cb(null, req.importDir!),
    filename: (_req, file, cb) => cb(null, file.originalname),
  }),
  limits: { fileSize: IMPORT_MAX_BYTES, files: IMPORT_MAX_FILES, fields: 0, parts: IMPORT_MAX_FILES },
  defParamCharset: 'utf8', // browsers send the file name in UTF-8 (busboy's default, latin-1, refused every accented name)
  fileFilter: (_req, file, cb) => {
    if (file.fieldname !== 'files') return cb(new AppError(400, 'invalid_input', 'Les fichiers vont dans le champ « files »', [{ field: file.fieldname, message: 'champ inattendu' }]));
    if (!SAFE_NAME.test(file.originalname) || Buffer.byteLength(file.originalname) > NAME_MAX_BYTES) {
      return cb(new AppError(400, 'invalid_input', `Nom de fichier refusé : ${file.originalname.slice(0, 80)}`, [{ field: 'files', message: 'nom de fichier : lettres, chiffres, espace, point, tiret, soulignement et parenthèses seulement, 200 octets au plus' }]));
    }
    cb(null, true);
  },
}).array('files', IMPORT_MAX_FILES);

/**
 * `multipart/form-data` with up to IMPORT_MAX_FILES files in the field `files`, each ≤ IMPORT_MAX_BYTES, written to a
 * fresh temporary folder under their own (checked) names — the names are how the import recognises a cadastre file.
 * Errors are 400/413 naming the field, and the folder is removed.
 */
export const importUpload: RequestHandler = (req, res, next) => {
  if (!req.is('multipart/form-data')) return next(new AppError(415, 'unsupported_media_type', 'Envoyez les fichiers en multipart/form-data (champ « files »)', [{ field: 'files', message: 'multipart/form-data attendu' }]));
  req.importDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-import-'));
  upload(req, res, (err: unknown) => {
    const files = (req.files as Express.Multer.File[] | undefined) ?? [];
    if (!err && files.length === 0) err = new AppError(400, 'invalid_input', 'Aucun fichier envoyé', [{ field: 'files', message: 'au moins un fichier' }]);
    if (!err) return next();
    fs.rmSync(req.importDir!, { recursive: true, force: true });
    if (err instanceof multer.MulterError) {
      if (err.code === 'LIMIT_FILE_SIZE') return next(new AppError(413, 'payload_too_large', `Fichier trop volumineux (${IMPORT_MAX_BYTES / 1024 / 1024} Mo au plus)`, [{ field: 'files', message: 'fichier trop volumineux' }]));
      if (err.code === 'LIMIT_FILE_COUNT' || err.code === 'LIMIT_PART_COUNT') return next(new AppError(413, 'payload_too_large', `${IMPORT_MAX_FILES} fichiers au plus`, [{ field: 'files', message: 'trop de fichiers' }]));
      return next(new AppError(400, 'invalid_input', `Formulaire invalide (${err.message})`, [{ field: err.field ?? 'files', message: err.message }]));
    }
    if (err instanceof Error && !(err instanceof AppError)) return next(new AppError(400, 'invalid_input', `Formulaire multipart invalide : ${err.message}`, [{ field: 'files', message: err.message }]));
    next(err);
  });
};
