import type { RequestHandler } from 'express';
import { AppError } from './errors.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What a state-changing request tells about the page that sent it. */
export interface WriteRequestOrigin {
  method: string;
  /** Sec-Fetch-Site, set by browsers (same-origin, same-site, cross-site, none); absent from other clients and old browsers. */
  secFetchSite?: string | undefined;
  /** Origin, set by browsers on every cross-origin request and on same-origin POSTs. */
  origin?: string | undefined;
  /** Referer, the fallback of browsers older than Origin on form posts. */
  referer?: string | undefined;
  /** The origins that are ours: the configured public URL's and the one the request was sent to (Host). */
  ours: readonly string[];
  /**
   * The request carries an `Authorization` header and no cookie: its credential (a personal API token) is never sent
   * by a browser on its own, so no other page can use it on a victim's behalf.
   */
  authorizationWithoutCookie?: boolean;
}

const originOfUrl = (url: string): string | null => {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null;
  } catch {
    return null;
  }
};

/**
 * May this request change state? A page of another origin must not act with the user's cookie (cross-site request
 * forgery), and SameSite=Lax does not stop a page of the *same site* — another port or sub-domain of the host.
 * - read methods (GET, HEAD, OPTIONS) always;
 * - `Sec-Fetch-Site: same-origin` (our own page; also through the dev server's proxy) or `none` (typed by the user);
 * - otherwise the Origin (or, without it, the Referer) must be one of ours;
 * - a request with none of these three headers comes from a program, not a browser page: it carries no ambient
 *   cookie of a victim, so it passes (curl, the CLI, server-to-server calls);
 * - a request with an Authorization header and no cookie (a personal API token: QGIS, GDAL, scripts) passes too.
 * @example writeAllowed({ method: 'POST', secFetchSite: 'same-site', origin: 'http://127.0.0.1:8080', ours: ['http://127.0.0.1:3000'] }) // false
 */
export function writeAllowed(r: WriteRequestOrigin): boolean {
  if (SAFE_METHODS.has(r.method)) return true;
  const site = r.secFetchSite?.trim().toLowerCase();
  if (site === 'same-origin' || site === 'none' || r.authorizationWithoutCookie) return true;
  const claimed = r.origin ?? r.referer;
  if (claimed === undefined) return site === undefined;
  const origin = originOfUrl(claimed); // "null" (sandboxed frames, file://) is nobody's
  return origin !== null && r.ours.some((o) => originOfUrl(o) === origin);
}

/**
 * Express middleware for the cookie-authenticated API: a state-changing request from another origin is a 403 before its
 * body is read. `publicOrigin` is the configured public URL's origin (GUP_PUBLIC_URL).
 */
export function sameOriginWrites(publicOrigin: string): RequestHandler {
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const ours = [publicOrigin, `${req.protocol}://${req.get('host') ?? ''}`];
    const authorizationWithoutCookie = req.get('authorization') !== undefined && req.get('cookie') === undefined;
    const allowed = writeAllowed({ method: req.method, secFetchSite: req.get('sec-fetch-site'), origin: req.get('origin'), referer: req.get('referer'), ours, authorizationWithoutCookie });
    if (allowed) return next();
    next(new AppError(403, 'cross_origin', 'Requête refusée : elle ne vient pas d\'une page de GUP (origine différente)', [{ field: 'Origin', message: `origine non autorisée : ${req.get('origin') ?? req.get('referer') ?? req.get('sec-fetch-site')}` }]));
  };
}
