import type { Request, RequestHandler } from 'express';
import type { Database } from '../data/db.js';
import { sessionUser } from '../data/sessions.js';
import type { SessionUser } from '../data/users.js';
import type { Role } from '../domain/territory.js';
import { SESSION_COOKIE } from '../http/context.js';
import { AppError, forbidden } from '../http/errors.js';

export { SESSION_COOKIE };

/** The user a request authenticates as (today its session cookie), or null. The one check every route takes. */
async function requestUser(db: Database, req: Request): Promise<SessionUser | null> {
  const token = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
  return token ? sessionUser(db, token) : null;
}

/** Loads the session user from the cookie (through the database's short-lived session cache, data/sessions.ts); answers 401 when there is none. */
export function requireSession(db: Database): RequestHandler {
  return async (req, _res, next) => {
    const user = await requestUser(db, req);
    if (!user) return next(new AppError(401, 'unauthenticated', 'Connexion requise'));
    req.user = user;
    next();
  };
}

/**
 * The same check where signing in is optional (public OGC API collections): sets `req.user` when the request
 * authenticates, goes on anonymously otherwise; the route decides what an anonymous caller may read.
 */
export function optionalSession(db: Database): RequestHandler {
  return async (req, _res, next) => {
    const user = await requestUser(db, req);
    if (user) req.user = user;
    else delete req.user;
    next();
  };
}

/** Lets only the given roles through (403 otherwise). Use after requireSession. */
export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.user) return next(new AppError(401, 'unauthenticated', 'Connexion requise'));
    if (!roles.includes(req.user.role)) return next(forbidden());
    next();
  };
}

/** The signed-in user of a request that went through requireSession. */
export function currentUser(req: { user?: SessionUser }): SessionUser {
  if (!req.user) throw new AppError(401, 'unauthenticated', 'Connexion requise');
  return req.user;
}
