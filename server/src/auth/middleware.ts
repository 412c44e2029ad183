import type { RequestHandler } from 'express';
import type { Knex } from 'knex';
import { findSessionUser, type SessionUser } from '../data/users.js';
import type { Role } from '../domain/territory.js';
import { AppError, forbidden } from '../http/errors.js';

export const SESSION_COOKIE = 'gup_session';

/** Loads the session user from the cookie; answers 401 when there is none. */
export function requireSession(knex: Knex): RequestHandler {
  return async (req, _res, next) => {
    const token = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    const user = token ? await findSessionUser(knex, token) : null;
    if (!user) return next(new AppError(401, 'unauthenticated', 'Connexion requise'));
    req.user = user;
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
