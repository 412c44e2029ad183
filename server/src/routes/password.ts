import cluster from 'node:cluster';
import { ClusterMemoryStoreWorker } from '@express-rate-limit/cluster-memory-store';
import { rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import type { AppContext } from '../http/context.js';
import { AppError, validationError } from '../http/errors.js';
import { rawRoute } from '../http/route.js';
import { PASSWORD_MIN_LENGTH, setPasswordWithToken } from '../services/accounts.js';

const body = z.object({
  token: z.string().min(20, 'jeton invalide').max(200, 'jeton invalide'),
  password: z.string().min(PASSWORD_MIN_LENGTH, `${PASSWORD_MIN_LENGTH} caractères au moins`).max(1024, '1024 caractères au plus'),
}).strict();

/**
 * `POST /api/auth/password` `{token, password}`: sets the password of a one-time link (invitation or reset sent by an
 * administrator). Public (the person has no session yet); the token is the credential, used once; attempts per client
 * address are limited (counted by the primary process in cluster mode).
 */
export function passwordRoutes(ctx: AppContext) {
  const attempts = rateLimit({
    ...(cluster.isWorker ? { store: new ClusterMemoryStoreWorker({ prefix: 'password-link' }) } : {}), // one count for the server
    windowMs: 15 * 60_000, limit: 20, standardHeaders: 'draft-8', legacyHeaders: false,
    handler: (_req, _res, next) => next(new AppError(429, 'too_many_attempts', 'Trop de tentatives, réessayez dans quelques minutes')),
  });
  // escape hatch: the attempts are counted (rate limiter) before the body is checked
  return [rawRoute({
    method: 'POST', path: '/api/auth/password', access: 'public', raw: true, before: [attempts],
    handle: async (req, res) => {
      const parsed = body.safeParse(req.body);
      if (!parsed.success) throw validationError(parsed.error, 'Mot de passe invalide');
      await setPasswordWithToken(ctx.db.knex, parsed.data.token, parsed.data.password);
      res.status(204).end();
    },
  })];
}
