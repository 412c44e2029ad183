import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';

/** An error meant for the client: HTTP status, stable code, message and optional details. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string, details?: unknown) => new AppError(404, 'not_found', `${what} introuvable`, details);
export const forbidden = (message = 'Accès refusé pour votre rôle') => new AppError(403, 'forbidden', message);

/** Turns a zod error into a 400 that names the fields. */
export function validationError(err: ZodError, message = 'Paramètres invalides'): AppError {
  return new AppError(400, 'invalid_input', message, err.issues.map((i) => ({ field: i.path.join('.') || null, message: i.message })));
}

export const apiNotFound: RequestHandler = (req, _res, next) => next(new AppError(404, 'not_found', `Route inconnue : ${req.method} ${req.path}`));

/** One error middleware: AppErrors and known client errors keep their status; anything else is a logged 500. */
export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  let e: AppError;
  if (err instanceof AppError) e = err;
  else if (err instanceof ZodError) e = validationError(err);
  else if (err?.type === 'entity.parse.failed') e = new AppError(400, 'invalid_json', 'Corps de requête JSON invalide');
  else if (err?.type === 'entity.too.large') e = new AppError(413, 'payload_too_large', 'Corps de requête trop volumineux');
  else if (typeof err?.status === 'number' && err.status >= 400 && err.status < 500) e = new AppError(err.status, 'bad_request', String(err.message ?? 'Requête invalide'));
  else if (err?.code === '57014') e = new AppError(503, 'statement_timeout', 'Requête trop longue : interrompue par la base (GUP_STATEMENT_TIMEOUT_MS)');
  else {
    req.log?.error({ err }, 'unhandled error');
    e = new AppError(500, 'internal', 'Erreur interne du serveur');
  }
  if (res.headersSent) return;
  res.status(e.status).json(errorBody(e));
};

/** The JSON body of every API error: `{ error: { code, message, details? } }`. */
export function errorBody(e: AppError): { error: { code: string; message: string; details?: unknown } } {
  return { error: { code: e.code, message: e.message, ...(e.details === undefined ? {} : { details: e.details }) } };
}
