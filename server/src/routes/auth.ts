import cluster from 'node:cluster';
import { ClusterMemoryStoreWorker } from '@express-rate-limit/cluster-memory-store';
import type { RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import { DUMMY_HASH_PROMISE, verifyPassword } from '../auth/passwords.js';
import { SESSION_COOKIE } from '../auth/middleware.js';
import { audit, createSession, deleteSession, findUserForLogin, type SessionUser } from '../data/users.js';
import { normalizeEmail } from '../domain/email.js';
import type { AppContext } from '../http/context.js';
import { AppError } from '../http/errors.js';
import { rawRoute, route } from '../http/route.js';
import { oidcRelyingParty } from '../services/oidc.js';
import { oidcRoutes } from './oidc.js';

const loginSchema = z.object({ email: z.string().email().max(320), password: z.string().min(1).max(1024) });

/**
 * The login's e-mail in its one spelling (normalizeEmail), before anything keys on it or looks it up: " admin@…",
 * "ADMIN@…" or a no-break space are one account, and one rate-limit counter.
 */
const normalizeLoginEmail: RequestHandler = (req, _res, next) => {
  const body = req.body as { email?: unknown } | undefined;
  if (body && typeof body.email === 'string') body.email = normalizeEmail(body.email);
  next();
};

/**
 * Failed logins of one client address in 15 minutes (every attempt when `countSuccesses`), counted by the primary
 * process in cluster mode (server/src/cluster.ts).
 */
function failedLoginLimit(prefix: string, limit: number, key: (req: Parameters<RequestHandler>[0]) => string, countSuccesses = false): RequestHandler {
  return rateLimit({
    ...(cluster.isWorker ? { store: new ClusterMemoryStoreWorker({ prefix }) } : {}),
    windowMs: 15 * 60_000,
    limit,
    skipSuccessfulRequests: !countSuccesses,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: key,
    handler: (_req, _res, next) => next(new AppError(429, 'too_many_attempts', 'Trop de tentatives de connexion, réessayez dans quelques minutes')),
  });
}

/**
 * Sign-in (DESIGN 3.9): `POST /api/auth/login` and `/logout` (public, escape hatches: rate limiters before the body is
 * checked, a cookie set or cleared), `GET /api/auth/me` (signed in); single sign-on's under /api/auth/oidc
 * (`oidcRoutes`: redirects, cookies of its own, HTML error pages).
 */
export function authRoutes(ctx: AppContext) {
  const { knex } = ctx.db;
  const { perAddress, perEmail } = loginLimits(ctx);
  const relyingParty = relyingPartyOf(ctx);
  return [
    rawRoute({
      method: 'POST', path: '/api/auth/login', access: 'public', raw: true, before: [normalizeLoginEmail, perAddress, perEmail],
      handle: async (req, res) => {
        const { email, password } = loginSchema.parse(req.body);
        const user = await findUserForLogin(knex, email);
        const ok = await verifyPassword(password, user?.passwordHash ?? (await DUMMY_HASH_PROMISE));
        if (!user || !ok) throw new AppError(401, 'invalid_credentials', 'Identifiants incorrects');
        const { passwordHash: _hidden, ...publicUser } = user;
        await openSession(ctx, res, publicUser);
        await audit(knex, { userId: user.id, action: 'login' });
        res.json({ user: publicUser });
      },
    }),
    // a session opened by single sign-on ends at the provider too: the answer names its logout URL for the browser
    rawRoute({
      method: 'POST', path: '/api/auth/logout', access: 'public', raw: true,
      handle: async (req, res) => {
        const token = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
        const idToken = token ? await deleteSession(knex, token) : null;
        res.clearCookie(SESSION_COOKIE, { path: '/' });
        const endSessionUrl = idToken && relyingParty ? await relyingParty.endSessionUrl(idToken).catch(() => null) : null;
        if (endSessionUrl) res.json({ endSessionUrl });
        else res.status(204).end();
      },
    }),
    route({ method: 'GET', path: '/api/auth/me', access: 'signed-in', handle: async (_input, { user }) => ({ user }) }),
    ...oidcRoutesOf(ctx),
  ];
}

// Failed logins (successful ones are not counted): 10 per client address and e-mail, and config.loginMaxPerAddress
// per client address whatever the e-mails; the limits are the server's, not each worker's, in cluster mode.
const address = (req: Parameters<RequestHandler>[0]) => ipKeyGenerator(req.ip ?? '');
function loginLimits(ctx: AppContext) {
  return {
    perAddress: failedLoginLimit('login-address', ctx.config.loginMaxPerAddress, address),
    perEmail: failedLoginLimit('login', 10, (req) => `${address(req)}|${String((req.body as { email?: unknown })?.email ?? '')}`),
  };
}

/** The single sign-on provider's client, when configured (one per application: its state lives in the database). */
const relyingParties = new WeakMap<AppContext, ReturnType<typeof oidcRelyingParty> | null>();
function relyingPartyOf(ctx: AppContext) {
  if (!relyingParties.has(ctx)) relyingParties.set(ctx, ctx.config.oidc ? oidcRelyingParty(ctx.db.knex, ctx.config.oidc, ctx.log) : null);
  return relyingParties.get(ctx)!;
}

/**
 * Opens a GUP session and sets its cookie (password login and single sign-on alike). The session the browser held
 * before, if any, ends on the server too: a sign-in replaces it rather than leaving it valid beside the new one.
 */
async function openSession(ctx: AppContext, res: Response, user: SessionUser, oidcIdToken: string | null = null) {
  const previous = (res.req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
  if (previous) await deleteSession(ctx.db.knex, previous);
  const { token, expiresAt } = await createSession(ctx.db.knex, user.id, ctx.config.sessionHours, oidcIdToken);
  res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: ctx.config.secureCookies, expires: expiresAt, path: '/' });
}

/** `/api/auth/oidc/*`: single sign-on (OpenID Connect), declared (routes/oidc.ts). */
function oidcRoutesOf(ctx: AppContext) {
  // each sign-in started at the provider keeps a row for 10 minutes: as many per address as failed logins allowed
  const startsPerAddress = failedLoginLimit('oidc-start', ctx.config.loginMaxPerAddress, address, true);
  return oidcRoutes(relyingPartyOf(ctx), ctx.config.secureCookies, (res, user, idToken) => openSession(ctx, res, user, idToken), startsPerAddress);
}
