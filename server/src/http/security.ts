import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import type { ServerConfig } from '../config.js';

/**
 * The security headers of every answer (helmet): a Content-Security-Policy without inline scripts, no framing
 * (frame-ancestors 'none' and X-Frame-Options: DENY), nosniff, a same-origin Referrer-Policy, HSTS behind HTTPS only.
 * `basemapOrigins`: where the map's raster tiles come from (GUP_BASEMAP), fetched by MapLibre and drawn as images.
 */
export function securityHeaders(config: Pick<ServerConfig, 'secureCookies'>, basemapOrigins: string[]): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'script-src-attr': ["'none'"],
        // Vue and MapLibre set style attributes; no remote stylesheet
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:', 'blob:', ...basemapOrigins],
        'connect-src': ["'self'", ...basemapOrigins],
        'worker-src': ["'self'", 'blob:'],
        'font-src': ["'self'", 'data:'],
        'object-src': ["'none'"],
        'base-uri': ["'self'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        // plain-HTTP intranets exist: asking browsers to upgrade every request would break them
        'upgrade-insecure-requests': config.secureCookies ? [] : null,
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'same-origin' },
    strictTransportSecurity: config.secureCookies ? { maxAge: 31_536_000 } : false,
  });
}

/**
 * The same headers as a fixed set, computed once at start by running the middleware against a recorder: the lean
 * transport (server/src/http/lean.ts) adds them to its answers without any per-request work.
 */
export function precomputedHeaders(middleware: RequestHandler): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) { headers[name.toLowerCase()] = value as string; return recorder; },
    removeHeader(name: string) { delete headers[name.toLowerCase()]; },
    getHeader(name: string) { return headers[name.toLowerCase()]; },
  };
  let done = false;
  middleware({ method: 'GET', url: '/', headers: {} } as unknown as IncomingMessage & Parameters<RequestHandler>[0], recorder as unknown as ServerResponse & Parameters<RequestHandler>[1], () => { done = true; });
  if (!done) throw new Error('security headers: the middleware did not finish synchronously');
  return headers;
}

/** Where the basemap's tiles come from, for the CSP (an XYZ URL template with `{z}` placeholders is not a URL parser's friend). */
export function originOf(urlTemplate: string): string | null {
  const m = /^(https?:\/\/[^/?#{}]+)/i.exec(urlTemplate.trim());
  return m ? m[1]!.toLowerCase() : null;
}
