import type { Request, RequestHandler } from 'express';
import type { Database } from '../data/db.js';
import { sessionUser } from '../data/sessions.js';
import { findTokenUser } from '../data/tokens.js';
import { hashToken, type SessionUser } from '../data/users.js';
import { SESSION_COOKIE } from './cookie.js';
import { AppError } from '../domain/errors.js';
import { bearerToken } from './tokens.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The personal API token the request was authenticated by (absent for a session cookie). */
      apiTokenId?: number;
    }
  }
}

export { SESSION_COOKIE };

/** Who sent a request: its user, and the personal API token it came with (null for a session cookie). */
export interface Authenticated {
  user: SessionUser;
  tokenId: number | null;
}

/**
 * The one function that turns a request's credentials into its user, for every transport (requireSession,
 * optionalSession, and `checkCaller` of the declared routes on both transports, server/src/http/route.ts): a personal API token (`Authorization: Bearer gup_pat_…`) when the request carries
 * one, else the session cookie (through the database's short-lived session cache, data/sessions.ts). A token stands for
 * its owner as the owner is now (role, scope; a deactivated owner opens nothing) and is not cached: a revoked token is
 * refused at once. A GUP token (`gup_pat_…`) that does not open the API is a 401, whatever cookie comes with it; another
 * Authorization value is not ours (the cookie decides). Null when the request carries no credential that opens it.
 */
export async function authenticate(db: Database, sessionToken: string | undefined, authorization: string | undefined): Promise<Authenticated | null> {
  const bearer = bearerToken(authorization);
  if (bearer !== undefined) {
    const hit = bearer === null ? null : await findTokenUser(db.knex, hashToken(bearer));
    if (!hit) throw new AppError(401, 'invalid_token', 'Jeton d\'accès invalide, expiré ou révoqué');
    return { user: hit.user, tokenId: hit.tokenId };
  }
  const user = sessionToken ? await sessionUser(db, sessionToken) : null;
  return user ? { user, tokenId: null } : null;
}

/** The credentials of an Express request, through `authenticate`; sets `req.user` (and `req.apiTokenId`). */
async function authenticateRequest(db: Database, req: Request): Promise<SessionUser | null> {
  const token = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
  const auth = await authenticate(db, token, req.headers.authorization);
  if (!auth) {
    delete req.user;
    return null;
  }
  req.user = auth.user;
  if (auth.tokenId !== null) req.apiTokenId = auth.tokenId;
  return auth.user;
}

/** Loads the user from the API token or the session cookie (authenticate); answers 401 when there is none. */
export function requireSession(db: Database): RequestHandler {
  return async (req, _res, next) => {
    const user = await authenticateRequest(db, req);
    if (!user) return next(new AppError(401, 'unauthenticated', 'Connexion requise'));
    next();
  };
}

/**
 * The same check where signing in is optional (public OGC API collections): sets `req.user` when the request
 * authenticates, goes on anonymously otherwise; the route decides what an anonymous caller may read.
 */
export function optionalSession(db: Database): RequestHandler {
  return async (req, _res, next) => {
    await authenticateRequest(db, req);
    next();
  };
}

/** The signed-in user of a request that went through requireSession. */
export function currentUser(req: { user?: SessionUser }): SessionUser {
  if (!req.user) throw new AppError(401, 'unauthenticated', 'Connexion requise');
  return req.user;
}
