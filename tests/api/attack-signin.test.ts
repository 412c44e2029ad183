import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../server/src/auth/passwords.js';
import { upsertUser } from '../../server/src/data/users.js';
import { sendPendingMail, transportFromUrl } from '../../server/src/services/mailer.js';
import { testContext } from '../support/context.js';
import { api, login } from '../support/http.js';
import { postForm } from '../support/multipart.js';
import { Browser, signInAt, startAt, startSingleSignOn, type SingleSignOn } from '../support/oidc.js';
import { startSmtpReceiver } from '../support/smtp.js';

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

  it('when the sign-in in progress is older than its 10 minutes, then the callback is refused', async () => {
    const browser = new Browser();
    const callback = await callbackFor(browser, 'agent-gup');
    const { db } = await testContext();
    await db.knex('oidc_logins').where({ state: callback.searchParams.get('state') }).update({ expires_at: new Date(Date.now() - 1000) });
    const res = await browser.get(callback.href);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Aucune connexion en cours');
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

  it('when the ID token was issued for another client, is expired, comes from another issuer or names another nonce, or another person than the userinfo, then the sign-in is refused (400)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const forgeries: [string, (c: Record<string, unknown>) => Record<string, unknown>][] = [
      ['aud', (c) => ({ ...c, aud: 'une-autre-application' })],
      ['aud list', (c) => ({ ...c, aud: ['une-autre-application', 'encore-une'] })],
      ['aud shared', (c) => ({ ...c, aud: [c.aud, 'une-autre-application'], azp: 'une-autre-application' })], // issued to another party
      ['aud shared, no azp', (c) => ({ ...c, aud: [c.aud, 'une-autre-application'] })],
      ['exp', (c) => ({ ...c, iat: now - 7200, exp: now - 3600 })],
      ['iss', (c) => ({ ...c, iss: 'https://faux-fournisseur.example' })],
      ['nonce', (c) => ({ ...c, nonce: 'nonce-d-une-autre-connexion' })],
      ['sub', (c) => ({ ...c, sub: 'agent-inconnu' })], // another person than the userinfo's
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

  it('when a page of another origin posts a password login or a password link (login CSRF), then 403 before anything is checked', async () => {
    const evil = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };
    const signIn = await fetch(`${gupBase}/api/auth/login`, { method: 'POST', headers: { ...evil, 'content-type': 'application/json' }, body: JSON.stringify({ email: 'gup@demo.gup', password: 'demo-gup-2026' }) });
    expect(signIn.status).toBe(403);
    expect(signIn.headers.getSetCookie()).toEqual([]);
    const link = await fetch(`${gupBase}/api/auth/password`, { method: 'POST', headers: { ...evil, 'content-type': 'application/json' }, body: JSON.stringify({ token: 'x'.repeat(43), password: 'un-mot-de-passe-solide' }) });
    expect(link.status).toBe(403);
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

// ---- one-time password links ---------------------------------------------------------------------

/** The token of the last link queued for `to` (the outbox keeps the mail as sent). */
async function lastLinkTo(to: string): Promise<string> {
  const { db } = await testContext();
  const mail = await db.knex('outbox').where({ to_address: to }).orderBy('id', 'desc').first('body');
  const token = /#jeton=([A-Za-z0-9_-]+)/.exec(String(mail?.body))?.[1];
  if (!token) throw new Error(`no link mailed to ${to}`);
  return token;
}

/** POST /api/auth/password from its own client address (the attempts are counted per address). */
const setPassword = (body: unknown, from: string) => api('/api/auth/password', { body, headers: { 'x-forwarded-for': from } });

describe('one-time password links under attack', () => {
  let admin: string;
  let n = 0;
  beforeAll(async () => {
    admin = await login('admin@demo.gup');
  });
  /** A new account (its invitation link mailed), with its id and e-mail. */
  async function invited(): Promise<{ id: number; email: string }> {
    const email = `lien.${Date.now()}.${++n}@exemple.fr`;
    const res = await api('/api/admin/users', { cookie: admin, body: { email, name: 'Lien', role: 'planner' } });
    expect(res.status).toBe(201);
    return { id: res.body.user.id as number, email };
  }
  const passwordHash = async (id: number) => (await (await testContext()).db.knex('users').where({ id }).first('password_hash')).password_hash as string;

  it('when the admin\'s request names another host (X-Forwarded-Host, Host), then the mailed link still points to GUP\'s public URL', async () => {
    const email = `hote.${Date.now()}@exemple.fr`;
    const res = await api('/api/admin/users', { cookie: admin, body: { email, name: 'Hôte', role: 'planner' }, headers: { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' } });
    expect(res.status).toBe(201);
    const { db } = await testContext();
    const mail = await db.knex('outbox').where({ to_address: email }).first('body');
    expect(mail.body).not.toContain('evil.example');
    expect(mail.body).toMatch(/http:\/\/(localhost|127\.0\.0\.1)(:\d+)?\/mot-de-passe#jeton=/); // the configured GUP_PUBLIC_URL
  });

  it('when a newer link was sent, then the older one no longer works', async () => {
    const { id, email } = await invited();
    const first = await lastLinkTo(email);
    expect((await api(`/api/admin/users/${id}/password-reset`, { method: 'POST', cookie: admin })).status).toBe(202);
    const second = await lastLinkTo(email);
    expect(second).not.toBe(first);
    expect((await setPassword({ token: first, password: 'le-lien-d-avant-2026' }, '203.0.113.10')).status).toBe(410);
    expect((await setPassword({ token: second, password: 'le-lien-d-apres-2026' }, '203.0.113.10')).status).toBe(204);
  });

  it('when the password was changed another way (npm run user:create), then the link still waiting no longer works', async () => {
    const { id, email } = await invited();
    const token = await lastLinkTo(email);
    const { db } = await testContext();
    await upsertUser(db.knex, { email, name: 'Lien', role: 'planner', passwordHash: await hashPassword('choisi-par-l-administrateur') });
    const before = await passwordHash(id);
    const res = await setPassword({ token, password: 'celui-qui-a-trouve-le-mail' }, '203.0.113.11');
    expect(res.status).toBe(410);
    expect(await passwordHash(id)).toBe(before);
  });

  it('when the account was deactivated then reactivated, then a link sent before no longer works', async () => {
    const { id, email } = await invited();
    const token = await lastLinkTo(email);
    expect((await api(`/api/admin/users/${id}`, { method: 'PATCH', cookie: admin, body: { active: false } })).status).toBe(200);
    expect((await setPassword({ token, password: 'pendant-la-desactivation' }, '203.0.113.12')).status).toBe(410);
    expect((await api(`/api/admin/users/${id}`, { method: 'PATCH', cookie: admin, body: { active: true } })).status).toBe(200);
    const before = await passwordHash(id);
    expect((await setPassword({ token, password: 'apres-la-reactivation' }, '203.0.113.12')).status).toBe(410);
    expect(await passwordHash(id)).toBe(before);
  });

  it('when the link\'s mail has been sent, then the outbox no longer holds its secret (only its hash stays), and the link works', async () => {
    const { email } = await invited();
    const token = await lastLinkTo(email);
    const smtp = await startSmtpReceiver();
    const transport = transportFromUrl(smtp.url);
    try {
      const { db } = await testContext();
      for (;;) if ((await sendPendingMail(db.knex, transport, { batchSize: 100 })).claimed === 0) break;
      expect(smtp.mails.find((m) => m.to.includes(email))?.text).toContain(`#jeton=${token}`);
      const row = await db.knex('outbox').where({ to_address: email }).first('body', 'status');
      expect(row.status).toBe('sent');
      expect(row.body).not.toContain(token);
      expect(row.body).toContain('/mot-de-passe#jeton=');
      const listed = await api('/api/admin/outbox?status=sent&limit=1000', { cookie: admin });
      expect(JSON.stringify(listed.body)).not.toContain(token);
    } finally {
      transport.close?.();
      await smtp.stop();
    }
    expect((await setPassword({ token, password: 'recu-par-le-vrai-courrier' }, '203.0.113.15')).status).toBe(204);
  });

  it('when one link is used twice at the same time, then exactly one use succeeds', async () => {
    const { email } = await invited();
    const token = await lastLinkTo(email);
    const statuses = (await Promise.all([1, 2, 3].map((i) => setPassword({ token, password: `en-meme-temps-${i}-2026` }, '203.0.113.13')))).map((r) => r.status).sort();
    expect(statuses).toEqual([204, 410, 410]);
  });

  it('when the password breaks the policy or the body is hostile (short, huge, NUL, oversized), then 4xx naming the field, and the link still works after', async () => {
    const { email } = await invited();
    const token = await lastLinkTo(email);
    const from = '203.0.113.14';
    for (const [body, field] of [
      [{ token, password: 'onze-caract' }, 'password'],
      [{ token, password: 'x'.repeat(1025) }, 'password'],
      [{ token, password: 'avec-un-nul-\u0000-dedans' }, 'password'],
      [{ token: `${token}\u0000`, password: 'un-mot-de-passe-solide' }, 'token'],
      [{ token: 'x'.repeat(201), password: 'un-mot-de-passe-solide' }, 'token'],
      [{ token, password: 'un-mot-de-passe-solide', userId: 1 }, null],
      [{ token: [token], password: 'un-mot-de-passe-solide' }, 'token'],
    ] as const) {
      const res = await setPassword(body, from);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      if (field) expect(res.body.error.details.map((d: { field: string }) => d.field), JSON.stringify(body).slice(0, 80)).toContain(field);
    }
    // the policy counts characters as a person sees them, and a single repeated one is no password
    for (const password of ['😀'.repeat(6), 'a'.repeat(16)]) {
      const res = await setPassword({ token, password }, from);
      expect([400, 422], password).toContain(res.status);
      expect(res.body.error.details[0].field, password).toBe('password');
    }
    const huge = await api('/api/auth/password', { raw: JSON.stringify({ token, password: 'y'.repeat(3 * 1024 * 1024) }), headers: { 'content-type': 'application/json', 'x-forwarded-for': from } });
    expect(huge.status).toBe(413);
    expect((await setPassword({ token, password: 'enfin-un-bon-mot-de-passe' }, from)).status).toBe(204);
  });

  it('when an address guesses tokens, then the 21st attempt in 15 minutes is a 429, and another address is not held back', async () => {
    for (let i = 0; i < 20; i++) expect((await setPassword({ token: `devine-${i}-${'x'.repeat(40)}`, password: 'un-mot-de-passe-solide' }, '198.51.100.77')).status).toBe(410);
    const refused = await setPassword({ token: `devine-21-${'x'.repeat(40)}`, password: 'un-mot-de-passe-solide' }, '198.51.100.77');
    expect(refused.status).toBe(429);
    expect((await setPassword({ token: `devine-22-${'x'.repeat(40)}`, password: 'un-mot-de-passe-solide' }, '198.51.100.78')).status).toBe(410);
  });

  it('when someone probes e-mails at login, then an unknown, a deactivated and a known account with a wrong password get the same answer', async () => {
    const { db } = await testContext();
    await upsertUser(db.knex, { email: 'sonde.inactif@exemple.fr', name: 'Inactif', role: 'planner', passwordHash: await hashPassword('le-bon-mot-de-passe') });
    await db.knex('users').where({ email: 'sonde.inactif@exemple.fr' }).update({ active: false });
    const answers = [];
    for (const [i, [email, password]] of [['personne@exemple.fr', 'le-bon-mot-de-passe'], ['sonde.inactif@exemple.fr', 'le-bon-mot-de-passe'], ['gup@demo.gup', 'pas-le-bon']].entries()) {
      const res = await api('/api/auth/login', { body: { email, password }, headers: { 'x-forwarded-for': `198.51.100.${90 + i}` } });
      answers.push({ status: res.status, body: res.body, cookie: res.headers.get('set-cookie') });
    }
    expect(answers[0]).toEqual({ status: 401, body: { error: { code: 'invalid_credentials', message: 'Identifiants incorrects' } }, cookie: null });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });
});

// ---- the administration's imports ---------------------------------------------------------------

describe('imports under attack', () => {
  let admin: string;
  beforeAll(async () => {
    admin = await login('admin@demo.gup');
  });
  const jobs = async () => Number((await (await testContext()).db.knex('import_jobs').count({ n: '*' }).first())!.n);
  const upload = (name: string, bytes: Buffer, opts: { cookie?: string; headers?: Record<string, string> } = { cookie: admin }) =>
    postForm('/api/admin/imports', {}, [{ field: 'files', bytes, name, type: 'application/octet-stream' }], opts);

  /** Polls an import job until it ends (a GET sent again on a reset socket: the embedded engine holds the loop). */
  async function finished(id: number) {
    for (const until = Date.now() + 120_000; Date.now() < until;) {
      const res = await api(`/api/admin/imports/${id}`, { cookie: admin }).catch(() => api(`/api/admin/imports/${id}`, { cookie: admin }));
      if (res.body.job.status !== 'running') return res.body.job as { status: string; error?: string };
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`import ${id} still running`);
  }

  it('when anyone but an admin, or a page of another origin, uploads, then 401/403 and no job', async () => {
    const before = await jobs();
    const file = Buffer.from('{}');
    expect((await upload('territoire.json', file, {})).status).toBe(401);
    for (const who of ['urbaniste@demo.gup', 'gup@demo.gup', 'mairie.athis@demo.gup', 'oph@demo.gup']) {
      expect((await upload('territoire.json', file, { cookie: await login(who) })).status, who).toBe(403);
    }
    const cross = await upload('territoire.json', file, { cookie: admin, headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } });
    expect(cross.status).toBe(403);
    expect(cross.body.error.code).toBe('cross_origin');
    expect(await jobs()).toBe(before);
  });

  it('when a file name climbs out of the folder or is too long for the disk, then it is refused or cut to its own name, and no server path is told', async () => {
    const before = await jobs();
    const dots = await upload('..', Buffer.from('{}'));
    expect(dots.status).toBe(400);
    const long = await upload(`${'ª'.repeat(180)}.json`, Buffer.from('{}'));
    expect(long.status).toBe(400);
    expect(long.body.error.details[0].field).toBe('files');
    expect(JSON.stringify(long.body)).not.toMatch(/gup-import-|\/tmp\//);
    expect(await jobs()).toBe(before);
    // accented names are read as the browser sends them (UTF-8), and their length is checked in bytes, as the disk counts
    const accented = await upload('communes-été.json', Buffer.from('{}'));
    expect(accented.status).toBe(202);
    expect(accented.body.job.files[0].name).toBe('communes-été.json');
    expect((await finished(accented.body.job.id)).status).toBe('failed');
    const wide = await upload(`${'é'.repeat(150)}.json`, Buffer.from('{}'));
    expect(wide.status).toBe(400);
    expect(wide.body.error.details[0].field).toBe('files');
    expect(JSON.stringify(wide.body)).not.toMatch(/gup-import-|\/tmp\//);
    // a path in the name: the multipart parser keeps the last part only, and the import refuses what it does not know
    const climbing = await upload('../../../../etc/gup-evade.json', Buffer.from('{"a":1}'));
    expect(climbing.status).toBe(202);
    expect(climbing.body.job.files[0].name).toBe('gup-evade.json');
    expect((await finished(climbing.body.job.id)).status).toBe('failed');
  });

  it('when an upload carries more files than allowed, or is not multipart, then 413/415 and no job', async () => {
    const before = await jobs();
    const many = Array.from({ length: 21 }, (_, i) => ({ field: 'files', bytes: Buffer.from('{}'), name: `f${i}.json`, type: 'application/json' }));
    const res = await postForm('/api/admin/imports', {}, many, { cookie: admin });
    expect(res.status).toBe(413);
    expect(res.body.error.details[0].field).toBe('files');
    const text = await api('/api/admin/imports', { cookie: admin, raw: 'type=FeatureCollection', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(text.status).toBe(415);
    expect(await jobs()).toBe(before);
  });

  it('when one file of an upload fails, then the files before it are undone too: nothing of the upload is written', async () => {
    const { db } = await testContext();
    const square = [[[2.3901, 48.7101], [2.3905, 48.7101], [2.3905, 48.7104], [2.3901, 48.7104], [2.3901, 48.7101]]];
    const cadastre = { type: 'FeatureCollection', features: [{ type: 'Feature', id: '919980000A0001', geometry: { type: 'Polygon', coordinates: square }, properties: { id: '919980000A0001', commune: '91998', contenance: 1200, updated: '2026-01-01' } }] };
    const header = 'Département (Champ géographique);Code Direction (Champ géographique);Code Commune (Champ géographique);Nom Commune (Champ géographique);Préfixe (Références cadastrales);Section (Références cadastrales);N° plan (Références cadastrales);N° de voirie (Adresse parcelle);Indice de répétition (Adresse parcelle);Code voie MAJIC (Adresse parcelle);Code voie rivoli (Adresse parcelle);Nature voie (Adresse parcelle);Nom voie (Adresse parcelle);Contenance (Caractéristiques parcelle);SUF (Evaluation SUF);Nature culture (Evaluation SUF);Contenance (Evaluation SUF);Code droit (Propriétaire(s) parcelle);N° MAJIC (Propriétaire(s) parcelle);N° SIREN (Propriétaire(s) parcelle);Groupe personne (Propriétaire(s) parcelle);Forme juridique (Propriétaire(s) parcelle);Forme juridique abrégée (Propriétaire(s) parcelle);Dénomination (Propriétaire(s) parcelle)';
    const owners = Buffer.from(`${header}\r\n91;0;998;COMMUNE FICTIVE;;A#;1;;;;;;;1200;;;;P;M00037;990000037;6;Société anonyme;SA;X\r\n`, 'latin1');
    const imports = await db.knex('imports').count({ n: '*' });
    const res = await postForm('/api/admin/imports', {}, [
      { field: 'files', bytes: Buffer.from(JSON.stringify(cadastre)), name: 'cadastre-91998-parcelles.json', type: 'application/json' },
      { field: 'files', bytes: owners, name: 'proprietaires-91998.csv', type: 'text/csv' },
    ], { cookie: admin });
    expect(res.status).toBe(202);
    const job = await finished(res.body.job.id) as { status: string; error: string; summaries: unknown[] };
    expect(job.status).toBe('failed');
    expect(Number((await db.knex('parcels').where({ commune_insee: '91998' }).count({ n: '*' }).first())!.n)).toBe(0);
    expect(await db.knex('imports').count({ n: '*' })).toEqual(imports);
    expect(job.error).toMatch(/proprietaires-91998\.csv.*ligne 2/);
    expect(job.error).toContain('cadastre-91998-parcelles.json');
    expect(job.summaries).toEqual([]);
  });

  it('when a CSV file is one 50 MB line, then the job fails naming its header line', async () => {
    const res = await upload('proprietaires.csv', Buffer.alloc(50 * 1024 * 1024, 'a'));
    expect(res.status).toBe(202);
    const job = await finished(res.body.job.id);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/proprietaires\.csv.*ligne 1/);
  }, 120_000);

  it('when a .gz file is a decompression bomb, then the job fails naming the file and the limit, without writing', async () => {
    const { db } = await testContext();
    const parcels = await db.knex('parcels').count({ n: '*' });
    const bomb = zlib.gzipSync(Buffer.alloc(300 * 1024 * 1024), { level: 9 }); // 300 MiB of zeros in ~300 kB
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const res = await upload('cadastre-91027-parcelles.json.gz', bomb);
    expect(res.status).toBe(202);
    const job = await finished(res.body.job.id);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/cadastre-91027-parcelles\.json\.gz.*décompress/);
    expect(await db.knex('parcels').count({ n: '*' })).toEqual(parcels);
  }, 120_000);

  it('when a JSON file or the configuration is nested 100 000 levels deep, then a clear failure, never a 500, and nothing changes', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const res = await upload('territoire.json', Buffer.from(`{"organisations":${deep}}`));
    expect(res.status).toBe(202);
    expect((await finished(res.body.job.id)).status).toBe('failed');
    const config = await api('/api/admin/config', { cookie: admin });
    const put = await api('/api/admin/config', { method: 'PUT', cookie: admin, headers: { 'content-type': 'application/json' }, raw: `{"config":{"organisations":${deep}}}` });
    expect(put.status).toBeGreaterThanOrEqual(400);
    expect(put.status).toBeLessThan(500);
    expect((await api('/api/admin/config', { cookie: admin })).body).toEqual(config.body);
  });
});
