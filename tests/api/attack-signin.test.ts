import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../server/src/auth/passwords.js';
import { upsertUser } from '../../server/src/data/users.js';
import { testContext } from '../support/context.js';
import { api, login } from '../support/http.js';
import { postForm } from '../support/multipart.js';
import { Browser, signInAt, startAt, startSingleSignOn, type SingleSignOn } from '../support/oidc.js';

/**
 * An attacker's pass over single sign-on (a REAL oidc-provider, tests/support/oidc.ts), the one-time password links and
 * the administration's imports. Each test says what an attacker tries and what GUP does.
 */

// ---- single sign-on ------------------------------------------------------------------------------

/** Provider accounts of this file: the e-mail spellings an attacker (or a sloppy provider) may send. */
const ACCOUNTS: Record<string, Record<string, unknown>> = {
  'agent-casse': { email: ' Agent.Casse@Demo.GUP ' },
  'agent-sosie': { email: 'ａｇｅｎｔ.casse@demo.gup' }, // full-width letters: another mailbox at the provider
  'agent-nul': { email: 'agent.casse@demo.gup\u0000' },
  'agent-long': { email: `${'a'.repeat(20_000)}@demo.gup` },
  'agent-pas-verifie-texte': { email: 'agent.casse@demo.gup', email_verified: 'false' },
  'agent-liste': { email: ['agent.casse@demo.gup'] },
};

let sso: SingleSignOn;
let gupBase: string;

beforeAll(async () => {
  const { db } = await testContext();
  await upsertUser(db.knex, { email: 'agent.casse@demo.gup', name: 'Agent Casse', role: 'planner', passwordHash: await hashPassword('agent-casse-2026') });
  sso = await startSingleSignOn({ accounts: ACCOUNTS });
  ({ gupBase } = sso);
});

afterAll(async () => {
  await sso?.close();
});

/** A browser signed in at the provider as `account`, on its way back to GUP's callback (not followed). */
async function callbackFor(browser: Browser, account: string): Promise<URL> {
  return signInAt(sso, browser, await startAt(sso, browser), account);
}

async function whoIs(browser: Browser): Promise<string | null> {
  const res = await browser.get(`${gupBase}/api/auth/me`);
  return res.status === 200 ? ((await res.json()) as { user: { email: string } }).user.email : null;
}

describe('single sign-on under attack', () => {
  it('when a callback URL is replayed in the same browser after a new sign-in started, then it is refused and the provider does not take the code twice', async () => {
    const browser = new Browser();
    const callback = await callbackFor(browser, 'agent-gup');
    expect((await browser.get(callback.href)).status).toBe(303);
    expect(await whoIs(browser)).toBe('gup@demo.gup');
    await browser.logout(gupBase);
    await startAt(sso, browser); // a fresh sign-in in progress: another state
    const replay = await browser.get(callback.href);
    expect(replay.status).toBe(400);
    expect(await whoIs(browser)).toBeNull();
  });

  it('when the callback carries a parameter twice, none, a huge one or a NUL byte, then a 4xx (a French page; the NUL guard of every API path answers JSON first) and no session, never a 500', async () => {
    const cases: ((u: URL) => string)[] = [
      (u) => `${u.href}&code=${u.searchParams.get('code')}`, // the code twice
      (u) => `${u.href}&state=${u.searchParams.get('state')}`, // the state twice
      (u) => `${u.origin}${u.pathname}`, // nothing
      (u) => `${u.origin}${u.pathname}?state=${u.searchParams.get('state')}`, // no code
      (u) => `${u.origin}${u.pathname}?code=${'A'.repeat(8_000)}&state=${u.searchParams.get('state')}`, // huge code
      (u) => `${u.origin}${u.pathname}?code=${u.searchParams.get('code')}%00&state=${u.searchParams.get('state')}`, // NUL
      (u) => `${u.origin}${u.pathname}?code=${u.searchParams.get('code')}&state=%00${u.searchParams.get('state')}`,
    ];
    for (const [i, alter] of cases.entries()) {
      const browser = new Browser();
      const res = await browser.get(alter(await callbackFor(browser, 'agent-gup')));
      expect(res.status, `case ${i}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `case ${i}`).toBeLessThan(500);
      if (i < 5) expect(res.headers.get('content-type'), `case ${i}`).toMatch(/text\/html/);
      expect(await whoIs(browser), `case ${i}`).toBeNull();
    }
  });

  it('when the ID token was issued for another client, is expired, comes from another issuer or names another nonce, then the sign-in is refused (400)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const forgeries: [string, (c: Record<string, unknown>) => Record<string, unknown>][] = [
      ['aud', (c) => ({ ...c, aud: 'une-autre-application' })],
      ['aud list', (c) => ({ ...c, aud: ['une-autre-application', 'encore-une'] })],
      ['exp', (c) => ({ ...c, iat: now - 7200, exp: now - 3600 })],
      ['iss', (c) => ({ ...c, iss: 'https://faux-fournisseur.example' })],
      ['nonce', (c) => ({ ...c, nonce: 'nonce-d-une-autre-connexion' })],
    ];
    try {
      for (const [what, rewrite] of forgeries) {
        sso.rewriteIdTokens(rewrite);
        const browser = new Browser();
        const res = await browser.get((await callbackFor(browser, 'agent-gup')).href);
        expect(res.status, what).toBe(400);
        expect(await res.text(), what).toContain('Connexion interrompue');
        expect(await whoIs(browser), what).toBeNull();
      }
      // the same hook, rewriting nothing, signs in (the forgeries above were refused for their claims alone)
      sso.rewriteIdTokens((c) => c);
      const browser = new Browser();
      expect((await browser.get((await callbackFor(browser, 'agent-gup')).href)).status).toBe(303);
      expect(await whoIs(browser)).toBe('gup@demo.gup');
    } finally {
      sso.rewriteIdTokens(null);
    }
  });

  it('when the provider sends an e-mail with other case and spaces around, then it opens its own account (the one normalisation of e-mails), no other', async () => {
    const browser = new Browser();
    expect((await browser.get((await callbackFor(browser, 'agent-casse')).href)).status).toBe(303);
    expect(await whoIs(browser)).toBe('agent.casse@demo.gup');
  });

  it('when the provider sends a look-alike e-mail (full-width letters), then it opens no account: the provider vouched for another mailbox', async () => {
    const browser = new Browser();
    const res = await browser.get((await callbackFor(browser, 'agent-sosie')).href);
    expect(res.status).toBe(403);
    expect(await whoIs(browser)).toBeNull();
  });

  it('when the provider sends an e-mail with a NUL byte, a 20 000-character one or a list, then 403 and no session, never a 500', async () => {
    for (const account of ['agent-nul', 'agent-long', 'agent-liste']) {
      const browser = new Browser();
      const res = await browser.get((await callbackFor(browser, account)).href);
      expect(res.status, account).toBe(403);
      expect((await res.text()).length, account).toBeLessThan(5_000);
      expect(await whoIs(browser), account).toBeNull();
    }
    const { db } = await testContext();
    const long = await db.knex('audit_log').where({ action: 'login.oidc_refused' }).whereRaw('length(details::text) > 5000').first();
    expect(long).toBeUndefined();
  });

  it('when the provider says email_verified "false" (a string), then the sign-in is refused like false', async () => {
    const browser = new Browser();
    const res = await browser.get((await callbackFor(browser, 'agent-pas-verifie-texte')).href);
    expect(res.status).toBe(403);
    expect(await whoIs(browser)).toBeNull();
  });

  it('when "return to" parameters point elsewhere, then the provider is sent GUP\'s own callback and the browser lands on GUP\'s root', async () => {
    const browser = new Browser();
    const evil = 'https://evil.example/vol';
    const res = await browser.get(`${gupBase}/api/auth/oidc/login?redirect_uri=${encodeURIComponent(evil)}&returnTo=${encodeURIComponent(evil)}&next=//evil.example&post_logout_redirect_uri=${encodeURIComponent(evil)}`);
    expect(res.status).toBe(302);
    const auth = new URL(res.headers.get('location')!);
    expect(auth.origin).toBe(sso.issuer);
    expect(auth.searchParams.get('redirect_uri')).toBe(`${gupBase}/api/auth/oidc/callback`);
    expect(auth.href).not.toContain('evil');
    const callback = await signInAt(sso, browser, auth, 'agent-gup');
    callback.searchParams.set('next', evil);
    const back = await browser.get(callback.href);
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe('/');
    const out = await browser.logout(gupBase);
    const end = new URL(((await out.json()) as { endSessionUrl: string }).endSessionUrl);
    expect(end.searchParams.get('post_logout_redirect_uri')).toBe(`${gupBase}/`);
  });

  it('when a page of another origin logs the user out (POST or GET), then the session survives', async () => {
    const browser = new Browser();
    await browser.get((await callbackFor(browser, 'agent-gup')).href);
    const cookie = `gup_session=${browser.cookie(gupBase, 'gup_session')}`;
    const post = await fetch(`${gupBase}/api/auth/logout`, { method: 'POST', headers: { cookie, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } });
    expect(post.status).toBe(403);
    const get = await fetch(`${gupBase}/api/auth/logout`, { headers: { cookie, 'sec-fetch-site': 'cross-site' }, redirect: 'manual' });
    expect(get.status).toBe(404);
    expect(await whoIs(browser)).toBe('gup@demo.gup');
  });

  it('when a browser arrives with a session id chosen by an attacker, or another account\'s session, then signing in gives a new id: the chosen one opens nothing, the planted one is no longer the browser\'s', async () => {
    const browser = new Browser();
    await startAt(sso, browser);
    browser.setCookie(gupBase, 'gup_session', 'choisi-par-l-attaquant');
    expect((await browser.get((await signInAt(sso, browser, await startAt(sso, browser), 'agent-gup')).href)).status).toBe(303);
    expect(browser.cookie(gupBase, 'gup_session')).not.toBe('choisi-par-l-attaquant');
    expect((await api('/api/auth/me', { cookie: 'gup_session=choisi-par-l-attaquant' })).status).toBe(401);

    // the attacker planted its own (password) session in the victim's browser; the victim then signs in
    const planted = (await login('urbaniste@demo.gup', { fresh: true })).split('=')[1]!;
    const victim = new Browser();
    await startAt(sso, victim);
    victim.setCookie(gupBase, 'gup_session', planted);
    expect(await whoIs(victim)).toBe('urbaniste@demo.gup');
    await victim.get((await signInAt(sso, victim, await startAt(sso, victim), 'agent-gup')).href);
    expect(await whoIs(victim)).toBe('gup@demo.gup');
    expect(victim.cookie(gupBase, 'gup_session')).not.toBe(planted);
  });
});
