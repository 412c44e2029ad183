import type { OutgoingHttpHeaders } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { AppError } from '../domain/errors.js';
import { maskApiKeys } from './log.js';

export { AppError, forbidden, notFound } from '../domain/errors.js';

/** A refused photo, naming the field: 413 (too large), 415 (not an accepted type) or 422 (unreadable); reasons in domain/photos.ts. */
export const photoError = (status: 413 | 415 | 422, message: string) =>
  new AppError(status, status === 413 ? 'payload_too_large' : 'invalid_photo', `Photo refusée : ${message}`, [{ field: 'photo', message }]);

/** Turns a zod error into a 400 that names the fields. */
export function validationError(err: ZodError, message = 'Paramètres invalides'): AppError {
  return new AppError(400, 'invalid_input', message, err.issues.map((i) => ({ field: i.path.join('.') || null, message: i.message })));
}

export const apiNotFound: RequestHandler = (req, _res, next) => next(new AppError(404, 'not_found', `Route inconnue : ${req.method} ${req.path}`));

/**
 * PostgreSQL errors that only bad input can cause, as a safety net behind the validation at the edge: a NUL byte
 * (22021 character_not_in_repertoire, 22P05 untranslatable_character) or a number too large for its column (22003).
 */
const PG_INPUT_ERRORS: Record<string, string> = {
  '22021': 'caractère interdit (octet nul) dans la requête',
  '22P05': 'caractère interdit (octet nul) dans la requête',
  '22003': 'nombre hors limites dans la requête',
};

/**
 * The client error an exception stands for, or null when it is a server fault (a logged 500). One decision for every
 * transport (Express, the lean path, Open311's error shape): AppErrors, zod errors, body-parser errors, any 4xx error
 * of a library, and PostgreSQL's input errors above.
 */
export function clientErrorOf(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) return validationError(err);
  const e = err as { type?: unknown; status?: unknown; message?: unknown; code?: unknown } | null | undefined;
  if (e?.type === 'entity.parse.failed') return new AppError(400, 'invalid_json', 'Corps de requête JSON invalide');
  if (e?.type === 'entity.too.large') return new AppError(413, 'payload_too_large', 'Corps de requête trop volumineux');
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return new AppError(e.status, 'bad_request', String(e.message ?? 'Requête invalide'));
  if (typeof e?.code === 'string' && PG_INPUT_ERRORS[e.code]) return new AppError(400, 'invalid_input', `Requête invalide : ${PG_INPUT_ERRORS[e.code]}`);
  if (e?.code === '57014') return new AppError(503, 'statement_timeout', 'Requête trop longue : interrompue par la base (GUP_STATEMENT_TIMEOUT_MS)');
  return null;
}

/** A JSON answer with its own status or headers (an error; 201 with a Location, 200 or 201 after an idempotent create). */
export class JsonReply {
  constructor(
    readonly status: number,
    readonly value: unknown,
    readonly headers: OutgoingHttpHeaders = {},
  ) {}
}

/**
 * The one error mapping of both transports (the declared routes of http/route.ts, Express's error middleware below):
 * a client error keeps its status and its `{error:{code,message,details}}` body (clientErrorOf); anything else is
 * logged and answered as a bare 500. `body` writes another standard's error shape (Open311's), from the same error.
 */
export function errorReply(
  err: unknown, log: Logger | undefined, method: string | undefined, url: string | undefined,
  body: (e: AppError) => unknown = errorBody,
): JsonReply {
  let e = clientErrorOf(err);
  if (!e) {
    log?.error({ err, req: { method, url: url === undefined ? url : maskApiKeys(url) } }, 'unhandled error');
    e = new AppError(500, 'internal', 'Erreur interne du serveur');
  }
  return new JsonReply(e.status, body(e), e.headers ?? {});
}

/** The error middleware of Express: the same mapping (errorReply). */
export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const reply = errorReply(err, req.log, req.method, req.originalUrl);
  if (res.headersSent) return;
  res.status(reply.status).set(reply.headers as Record<string, string>).json(reply.value);
};

/** The JSON body of every API error: `{ error: { code, message, details? } }`. */
export function errorBody(e: AppError): { error: { code: string; message: string; details?: unknown } } {
  return { error: { code: e.code, message: e.message, ...(e.details === undefined ? {} : { details: e.details }) } };
}
