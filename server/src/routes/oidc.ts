import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { SessionUser } from '../data/users.js';
import { AppError, clientErrorOf } from '../http/errors.js';
import { rawRoute, route, type AnyRoute, type RawRoute } from '../http/route.js';
import { OIDC_LOGIN_MINUTES, type OidcRelyingParty } from '../services/oidc.js';

/** The browser's binding to its sign-in in progress (httpOnly, Lax: the provider's redirect back is a top-level GET). */
export const OIDC_COOKIE = 'gup_oidc';
const COOKIE_PATH = '/api/auth/oidc';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A plain French page for the browser that followed the provider's redirect (no script: the CSP forbids inline ones). */
function page(title: string, message: string): string {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} — GUP</title></head>
<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1e1e1e;line-height:1.5">
<main><h1 style="font-size:1.4rem">${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>
<p><a href="/" style="color:#000091">Retour à la page de connexion de GUP</a></p></main></body></html>`;
}

/**
 * Single sign-on (DESIGN 3.9), declared (http/route.ts): `GET /api/auth/oidc` tells the client whether it is configured
 * (a plain route), `GET /login` sends the browser to the provider, `GET /callback` checks its answer (openid-client:
 * state, PKCE, ID token signature and nonce) and opens a normal GUP session for the active account of the e-mail.
 * Without configuration, /login and /callback are 404s. Those two are escape hatches (`rawRoute`: a cookie set and
 * cleared, a redirect, the session cookie set by `openSession`) behind the one session check; their failures are
 * French HTML pages (the browser is on them), with the error's status (`onError`). `startLimit` caps the sign-ins one
 * address may start (each keeps a row until it ends or expires).
 */
export function oidcRoutes(
  rp: OidcRelyingParty | null, secureCookies: boolean, openSession: (res: Response, user: SessionUser, idToken: string) => Promise<void>,
  startLimit: RequestHandler,
): (AnyRoute | RawRoute)[] {
  const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, secure: secureCookies, path: COOKIE_PATH };

  const enabled = (): OidcRelyingParty => {
    if (!rp) throw new AppError(404, 'oidc_disabled', 'La connexion par fournisseur d\'identité (ProConnect) n\'est pas configurée sur ce serveur');
    return rp;
  };

  const htmlErrors: ErrorRequestHandler = (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const e = clientErrorOf(err);
    if (!e || e.status >= 500) req.log?.error({ err }, 'single sign-on failed');
    const status = e?.status ?? 500;
    const title = status === 403 ? 'Connexion refusée' : status >= 500 ? 'Connexion impossible pour le moment' : 'Connexion interrompue';
    res.status(status).type('html').send(page(title, e?.message ?? 'Erreur interne du serveur'));
  };

  return [
    route({ method: 'GET', path: COOKIE_PATH, access: 'public', handle: async () => ({ enabled: rp !== null, provider: rp ? 'ProConnect' : null }) }),
    rawRoute({
      method: 'GET', path: `${COOKIE_PATH}/login`, access: 'public', raw: true, before: [startLimit], onError: htmlErrors,
      handle: async (_req, res) => {
        const { binding, authorizationUrl } = await enabled().start();
        res.cookie(OIDC_COOKIE, binding, { ...cookieOptions, maxAge: OIDC_LOGIN_MINUTES * 60_000 });
        res.redirect(302, authorizationUrl);
      },
    }),
    rawRoute({
      method: 'GET', path: `${COOKIE_PATH}/callback`, access: 'public', raw: true, onError: htmlErrors,
      handle: async (req, res) => {
        const relyingParty = enabled();
        const binding = (req.cookies as Record<string, string> | undefined)?.[OIDC_COOKIE];
        res.clearCookie(OIDC_COOKIE, cookieOptions); // one attempt per sign-in, whatever its outcome
        const q = req.originalUrl.indexOf('?');
        const { user, idToken } = await relyingParty.finish(binding, q < 0 ? '' : req.originalUrl.slice(q + 1));
        await openSession(res, user, idToken);
        res.redirect(303, '/');
      },
    }),
  ];
}
