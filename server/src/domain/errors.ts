/**
 * The error type of the whole server, on the ground floor: any layer (domain rules, data, services, auth, the two HTTP
 * transports) throws it; `server/src/http/errors.ts` maps it, and every other error, to an HTTP answer in one place.
 */

/** An error meant for the client: HTTP status, stable code, message and optional details. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Headers of the answer (e.g. `Retry-After` on a 429 or 503). */
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string, details?: unknown) => new AppError(404, 'not_found', `${what} introuvable`, details);
export const forbidden = (message = 'Accès refusé pour votre rôle') => new AppError(403, 'forbidden', message);
