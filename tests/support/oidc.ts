import crypto from 'node:crypto';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { expect } from 'vitest';
import { pino } from 'pino';
import { createApp } from '../../server/src/app.js';
import { hashPassword } from '../../server/src/auth/passwords.js';
import { loadConfig, type OidcSettings } from '../../server/src/config.js';
import { upsertUser } from '../../server/src/data/users.js';
import { testContext } from './context.js';

export const CLIENT_ID = 'gup-test';
const CLIENT_SECRET = 'un-secret-de-test-assez-long-pour-hs256-0123456789';
export const SCOPES = 'openid email given_name usual_name siret';

/** The provider's accounts: sub → claims (ProConnect's claims). */
const ACCOUNTS: Record<string, Record<string, unknown>> = {
  'agent-gup': { email: 'GUP@demo.gup', given_name: 'Agent', usual_name: 'Officier', siret: '20005947300018' },
  'agent-inconnu': { email: 'inconnu@agglo.fr', given_name: 'Agent', usual_name: 'Inconnu', siret: '20005947300018' },
  'agent-inactif': { email: 'oidc.inactif@demo.gup', given_name: 'Agent', usual_name: 'Inactif', siret: '20005947300018' },
  'agent-non-verifie': { email: 'gup@demo.gup', email_verified: false },
};

export interface SingleSignOn {
  /** The provider's issuer URL (http://127.0.0.1:port). */
  issuer: string;
  /** A GUP server of its own (same database as the shared one) configured for that provider. */
  gupBase: string;
  /**
   * From now on, the ID token of the provider's token answers is rewritten by `rewrite` and signed again with the
   * provider's own key (a provider that misbehaves, or whoever holds its key); null: as issued.
   */
  rewriteIdTokens(rewrite: ((claims: Record<string, unknown>) => Record<string, unknown>) | null): void;
  close(): Promise<void>;
}

/** The provider's signing key, known to the tests (RS256). */
const SIGNING_KEY = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const SIGNING_JWK = { ...SIGNING_KEY.export({ format: 'jwk' }), kid: 'cle-de-test', alg: 'RS256', use: 'sig' };

/** A compact JWS of `claims` with the provider's key (the header kept from the token it replaces). */
function resign(idToken: string, rewrite: (claims: Record<string, unknown>) => Record<string, unknown>): string {
  const [header, payload] = idToken.split('.') as [string, string];
  const claims = rewrite(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>);
  const body = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${body}.${crypto.sign('sha256', Buffer.from(body), SIGNING_KEY).toString('base64url')}`;
}

const listen = (server: Server) => new Promise<string>((resolve) => {
  server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
});

/**
 * A REAL identity provider, oidc-provider (panva), on a random port, configured like ProConnect (scopes email,
 * given_name, usual_name, siret; the e-mail in the userinfo, not in the ID token; PKCE required), with its development
 * login and consent forms; and a GUP server configured for it by its OidcSettings. Account `oidc.inactif@demo.gup` is
 * created deactivated.
 */
export async function startSingleSignOn(opts: { accounts?: Record<string, Record<string, unknown>> } = {}): Promise<SingleSignOn> {
  const accounts = { ...ACCOUNTS, ...opts.accounts };
  const { db } = await testContext();
  await upsertUser(db.knex, { email: 'oidc.inactif@demo.gup', name: 'Inactif', role: 'gup_officer', passwordHash: await hashPassword('inactif-2026') });
  await db.knex('users').where({ email: 'oidc.inactif@demo.gup' }).update({ active: false });

  const idp = http.createServer();
  const issuer = await listen(idp);
  const gup = http.createServer();
  const gupBase = await listen(gup);

  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: [`${gupBase}/api/auth/oidc/callback`],
      post_logout_redirect_uris: [`${gupBase}/`], response_types: ['code'], grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], given_name: ['given_name'], usual_name: ['usual_name'], siret: ['siret'] },
    pkce: { required: () => true },
    findAccount: async (_ctx, sub) => (accounts[sub] ? { accountId: sub, claims: async () => ({ sub, ...accounts[sub] }) } : undefined),
    cookies: { keys: ['cle-de-test-des-cookies-du-fournisseur'] },
    jwks: { keys: [SIGNING_JWK as never] },
  });
  let rewrite: ((claims: Record<string, unknown>) => Record<string, unknown>) | null = null;
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { id_token?: unknown } | undefined;
    if (rewrite && ctx.path === '/token' && typeof body?.id_token === 'string') ctx.body = { ...body, id_token: resign(body.id_token, rewrite) };
  });
  idp.on('request', provider.callback());

  const oidc: OidcSettings = {
    issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: `${gupBase}/api/auth/oidc/callback`,
    postLogoutRedirectUri: `${gupBase}/`, scopes: SCOPES,
  };
  const config = { ...loadConfig({}), databaseUrl: process.env.DATABASE_URL?.trim(), demo: true, publicUrl: gupBase, oidc };
  gup.on('request', createApp({ db, config, log: pino({ level: 'silent' }) }));

  return {
    issuer,
    gupBase,
    rewriteIdTokens: (r) => { rewrite = r; },
    close: async () => {
      await Promise.all([idp, gup].map((s) => new Promise<void>((resolve) => { s.closeAllConnections(); s.close(() => resolve()); })));
    },
  };
}

/** A browser's cookies, per origin (enough for these two servers: paths are ignored). */
export class Browser {
  private jar = new Map<string, Map<string, string>>();

  async get(url: string): Promise<Response> {
    return this.send(url, { method: 'GET' });
  }

  async post(url: string, form: Record<string, string>): Promise<Response> {
    return this.send(url, { method: 'POST', body: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }

  /** POST /api/auth/logout as GUP's page would (same origin). */
  async logout(gupBase: string): Promise<Response> {
    return this.send(`${gupBase}/api/auth/logout`, { method: 'POST', headers: { 'sec-fetch-site': 'same-origin' } });
  }

  cookie(origin: string, name: string): string | undefined {
    return this.jar.get(origin)?.get(name);
  }

  setCookie(origin: string, name: string, value: string) {
    this.jar.get(origin)?.set(name, value);
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    const { origin } = new URL(url);
    const cookies = [...(this.jar.get(origin) ?? new Map<string, string>()).entries()].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string> | undefined), ...(cookies ? { cookie: cookies } : {}) } });
    const jar = this.jar.get(origin) ?? new Map<string, string>();
    this.jar.set(origin, jar);
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line) || /max-age=0/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  }
}

export const location = (res: Response, base: string) => {
  expect([302, 303], `redirect expected, got ${res.status}`).toContain(res.status);
  return new URL(res.headers.get('location')!, base).href;
};

/** GUP's /login → the provider's authorization URL (not followed). */
export async function startAt({ gupBase }: SingleSignOn, browser: Browser): Promise<URL> {
  const res = await browser.get(`${gupBase}/api/auth/oidc/login`);
  return new URL(location(res, gupBase));
}

/**
 * Follows the provider's authorization URL through its login and consent forms as `accountId`: the provider's
 * redirect back to GUP's callback (not followed).
 */
export async function signInAt({ issuer, gupBase }: SingleSignOn, browser: Browser, authorizationUrl: URL, accountId: string): Promise<URL> {
  let url = location(await browser.get(authorizationUrl.href), issuer);
  for (let step = 0; step < 6; step++) {
    if (url.startsWith(gupBase)) return new URL(url);
    const uid = new URL(url).pathname.split('/').pop()!;
    const form = await browser.get(url);
    const html = await form.text();
    expect(form.status).toBe(200);
    const prompt = html.includes('name="login"') ? 'login' : 'consent';
    const res = await browser.post(`${issuer}/interaction/${uid}`, prompt === 'login' ? { prompt, login: accountId, password: 'x' } : { prompt });
    url = location(res, issuer);
    // the provider resumes the authorization, then sends the browser to the next interaction or back to GUP
    while (url.startsWith(issuer) && !new URL(url).pathname.startsWith('/interaction/')) url = location(await browser.get(url), issuer);
  }
  throw new Error('the provider never sent the browser back to GUP');
}
