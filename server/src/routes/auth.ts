import cluster from 'node:cluster';
import { ClusterMemoryStoreWorker } from '@express-rate-limit/cluster-memory-store';
import { Router } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import { DUMMY_HASH_PROMISE, verifyPassword } from '../auth/passwords.js';
import { currentUser, requireSession, SESSION_COOKIE } from '../auth/middleware.js';
import { audit, createSession, deleteSession, findUserForLogin } from '../data/users.js';
import type { AppContext } from '../http/context.js';
import { AppError } from '../http/errors.js';

const loginSchema = z.object({ email: z.string().trim().email().max(320), password: z.string().min(1).max(1024) });

export function authRouter(ctx: AppContext): Router {
  const router = Router();
  const { knex } = ctx.db;

  // Failed logins per client address and e-mail: 10 per 15 minutes (successful ones are not counted), counted by the
  // primary process when the server runs several workers (server/src/cluster.ts): the limit is the server's, not each worker's.
  const loginLimiter = rateLimit({
    ...(cluster.isWorker ? { store: new ClusterMemoryStoreWorker({ prefix: 'login' }) } : {}),
    windowMs: 15 * 60_000,
    limit: 10,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => `${ipKeyGenerator(req.ip ?? '')}|${String((req.body as { email?: unknown })?.email ?? '').toLowerCase()}`,
    handler: (_req, _res, next) => next(new AppError(429, 'too_many_attempts', 'Trop de tentatives de connexion, réessayez dans quelques minutes')),
  });

  router.post('/login', loginLimiter, async (req, res) => {
    const { email, password } = loginSchema.parse(req.body);
    const user = await findUserForLogin(knex, email);
    const ok = await verifyPassword(password, user?.passwordHash ?? (await DUMMY_HASH_PROMISE));
    if (!user || !ok) throw new AppError(401, 'invalid_credentials', 'Identifiants incorrects');
    const { token, expiresAt } = await createSession(knex, user.id, ctx.config.sessionHours);
    await audit(knex, { userId: user.id, action: 'login' });
    res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: ctx.config.secureCookies, expires: expiresAt, path: '/' });
    const { passwordHash: _hidden, ...publicUser } = user;
    res.json({ user: publicUser });
  });

  router.post('/logout', async (req, res) => {
    const token = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    if (token) await deleteSession(knex, token);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });

  router.get('/me', requireSession(ctx.db), (req, res) => {
    res.json({ user: currentUser(req) });
  });

  return router;
}
