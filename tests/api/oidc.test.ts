import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../support/context.js';
import { Browser, location, SCOPES, signInAt, startAt, startSingleSignOn, type SingleSignOn } from '../support/oidc.js';

/**
 * The whole single sign-on against a REAL identity provider (tests/support/oidc.ts: oidc-provider configured like
 * ProConnect), its development login and consent forms driven by plain HTTP, and a GUP server of its own.
 */
let sso: SingleSignOn;
let issuer: string;
let gupBase: string;

beforeAll(async () => {
  sso = await startSingleSignOn();
  ({ issuer, gupBase } = sso);
});

afterAll(async () => {
  await sso.close();
});

const startAtGup = (browser: Browser) => startAt(sso, browser);
const signInAtProvider = (browser: Browser, authorizationUrl: URL, accountId: string) => signInAt(sso, browser, authorizationUrl, accountId);

async function me(browser: Browser) {
  const res = await browser.get(`${gupBase}/api/auth/me`);
  return { status: res.status, body: await res.json() as { user?: { email: string; role: string } } };
}

describe('single sign-on with OpenID Connect (ProConnect-like provider)', () => {
  it('when GUP tells the client, then single sign-on is enabled and names ProConnect', async () => {
    const res = await fetch(`${gupBase}/api/auth/oidc`);
    expect(await res.json()).toEqual({ enabled: true, provider: 'ProConnect' });
  });

  it('when an agent signs in at the provider with the e-mail of an active account, then GUP opens a session for that account (role from GUP)', async () => {
    const browser = new Browser();
    const auth = await startAtGup(browser);
    expect(auth.origin).toBe(issuer);
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.searchParams.get('code_challenge')).toBeTruthy();
    expect(auth.searchParams.get('state')).toBeTruthy();
    expect(auth.searchParams.get('nonce')).toBeTruthy();
    expect(auth.searchParams.get('scope')).toBe(SCOPES);
    expect(browser.cookie(gupBase, 'gup_oidc')).toBeTruthy();

    const callback = await signInAtProvider(browser, auth, 'agent-gup');
    expect(callback.pathname).toBe('/api/auth/oidc/callback');
    const res = await browser.get(callback.href);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    expect(browser.cookie(gupBase, 'gup_session')).toBeTruthy();
    expect(browser.cookie(gupBase, 'gup_oidc')).toBeUndefined();
    const who = await me(browser);
    expect(who.status).toBe(200);
    expect(who.body.user).toMatchObject({ email: 'gup@demo.gup', role: 'gup_officer' });

    // the same callback again (a replayed URL): the sign-in in progress was used once
    const replay = await new Browser().get(callback.href);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('Aucune connexion en cours');
  });

  it('when the state of the callback was tampered with, then the sign-in is refused with a French page and no session', async () => {
    const browser = new Browser();
    const callback = await signInAtProvider(browser, await startAtGup(browser), 'agent-gup');
    callback.searchParams.set('state', 'etat-falsifie');
    const res = await browser.get(callback.href);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain('lang="fr"');
    expect(html).toContain('state, nonce');
    expect(browser.cookie(gupBase, 'gup_session')).toBeUndefined();
    expect((await me(browser)).status).toBe(401);
  });

  it('when the ID token carries another nonce than the one GUP asked for, then the sign-in is refused', async () => {
    // the browser's request to the provider is altered on its way: same state, same PKCE, another nonce — the code
    // is exchanged without error, and only the ID token's nonce can tell
    const browser = new Browser();
    const auth = await startAtGup(browser);
    auth.searchParams.set('nonce', 'nonce-d-un-autre');
    const callback = await signInAtProvider(browser, auth, 'agent-gup');
    const res = await browser.get(callback.href);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Connexion interrompue');
    expect(browser.cookie(gupBase, 'gup_session')).toBeUndefined();
  });

  it('when the callback comes to a browser that did not start the sign-in, then it is refused (login CSRF)', async () => {
    const victim = new Browser();
    const attacker = new Browser();
    const callback = await signInAtProvider(attacker, await startAtGup(attacker), 'agent-gup');
    await startAtGup(victim); // the victim has a sign-in of its own in progress
    const res = await victim.get(callback.href);
    expect(res.status).toBe(400);
    expect(victim.cookie(gupBase, 'gup_session')).toBeUndefined();
  });

  it('when the e-mail matches no GUP account, then 403 with a clear French page and no account is created', async () => {
    const { db } = await testContext();
    const browser = new Browser();
    const res = await browser.get((await signInAtProvider(browser, await startAtGup(browser), 'agent-inconnu')).href);
    expect(res.status).toBe(403);
    const html = await res.text();
    expect(html).toContain('Connexion refusée');
    expect(html).toContain('Aucun compte GUP actif');
    expect(html).toContain('inconnu@agglo.fr');
    expect(browser.cookie(gupBase, 'gup_session')).toBeUndefined();
    expect(await db.knex('users').where({ email: 'inconnu@agglo.fr' }).first()).toBeUndefined();
  });

  it('when the account of the e-mail is deactivated, then the sign-in is refused (403)', async () => {
    const browser = new Browser();
    const res = await browser.get((await signInAtProvider(browser, await startAtGup(browser), 'agent-inactif')).href);
    expect(res.status).toBe(403);
    expect((await me(browser)).status).toBe(401);
  });

  it('when the provider says the e-mail is not verified, then the sign-in is refused (403)', async () => {
    const browser = new Browser();
    const res = await browser.get((await signInAtProvider(browser, await startAtGup(browser), 'agent-non-verifie')).href);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('vérifiée');
  });

  it('when the agent cancels at the provider, then the callback is a 403 page', async () => {
    const browser = new Browser();
    const auth = await startAtGup(browser);
    const uid = new URL(location(await browser.get(auth.href), issuer)).pathname.split('/').pop()!;
    let url = location(await browser.get(`${issuer}/interaction/${uid}/abort`), issuer);
    while (!url.startsWith(gupBase)) url = location(await browser.get(url), issuer);
    const res = await browser.get(url);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('access_denied');
  });

  it('when an agent signed in through the provider logs out, then GUP ends its session and returns the provider\'s logout URL', async () => {
    const browser = new Browser();
    await browser.get((await signInAtProvider(browser, await startAtGup(browser), 'agent-gup')).href);
    expect((await me(browser)).status).toBe(200);
    const res = await browser.logout(gupBase);
    expect(res.status).toBe(200);
    const { endSessionUrl } = await res.json() as { endSessionUrl: string };
    const end = new URL(endSessionUrl);
    expect(end.origin).toBe(issuer);
    expect(end.searchParams.get('id_token_hint')).toMatch(/^ey/);
    expect(end.searchParams.get('post_logout_redirect_uri')).toBe(`${gupBase}/`);
    expect((await me(browser)).status).toBe(401);
    // the provider accepts it (its logout confirmation page)
    expect((await browser.get(endSessionUrl)).status).toBe(200);
  });

  it('when one address starts sign-ins again and again, then past the limit it gets a 429 page and no more rows are kept; another address is not held back', async () => {
    const { db } = await testContext();
    const from = (ip: string) => fetch(`${gupBase}/api/auth/oidc/login`, { redirect: 'manual', headers: { 'x-forwarded-for': ip } });
    const statuses = await Promise.all(Array.from({ length: 100 }, () => from('198.51.100.7').then((r) => r.status)));
    expect(statuses.every((s) => s === 302)).toBe(true);
    const rows = Number((await db.knex('oidc_logins').count({ n: '*' }).first())!.n);
    const refused = await from('198.51.100.7');
    expect(refused.status).toBe(429);
    expect(await refused.text()).toContain('Trop de tentatives');
    expect(Number((await db.knex('oidc_logins').count({ n: '*' }).first())!.n)).toBe(rows);
    expect((await from('198.51.100.8')).status).toBe(302);
  });

  it('when a password session logs out, then 204 as before (no provider involved)', async () => {
    const login = await fetch(`${gupBase}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'urbaniste@demo.gup', password: 'demo-gup-2026' }) });
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    const res = await fetch(`${gupBase}/api/auth/logout`, { method: 'POST', headers: { cookie } });
    expect(res.status).toBe(204);
  });
});

describe('single sign-on not configured', () => {
  it('when no provider is configured, then the client is told it is off and /login and /callback are 404', async () => {
    const { baseUrl } = await testContext();
    expect(await (await fetch(`${baseUrl}/api/auth/oidc`)).json()).toEqual({ enabled: false, provider: null });
    for (const path of ['/api/auth/oidc/login', '/api/auth/oidc/callback?code=x&state=y']) {
      const res = await fetch(baseUrl + path, { redirect: 'manual' });
      expect(res.status, path).toBe(404);
      expect(await res.text()).toContain('pas configurée');
    }
  });

  it('when a request to single sign-on carries a bad personal API token, then the one session check refuses it (401): JSON for the client, a French page for the browser', async () => {
    const { baseUrl } = await testContext();
    const authorization = 'Bearer gup_pat_not-a-token';
    const status = await fetch(`${baseUrl}/api/auth/oidc`, { headers: { authorization } });
    expect(status.status).toBe(401);
    expect((await status.json()).error.code).toBe('invalid_token');
    const login = await fetch(`${baseUrl}/api/auth/oidc/login`, { redirect: 'manual', headers: { authorization } });
    expect(login.status).toBe(401);
    expect(login.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await login.text()).toContain('Jeton d&#39;accès invalide');
  });
});
