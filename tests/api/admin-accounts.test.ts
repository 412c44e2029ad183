import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendPendingMail, transportFromUrl, type MailTransport } from '../../server/src/services/mailer.js';
import { testContext } from '../support/context.js';
import { api, login } from '../support/http.js';
import { startSmtpReceiver } from '../support/smtp.js';

let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let transport: MailTransport;
let admin: string;

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  transport = transportFromUrl(smtp.url);
  admin = await login('admin@demo.gup');
});
afterAll(async () => {
  transport?.close?.();
  await smtp?.stop();
});

/** Sends the outbox through the real SMTP server, then the one-time token of the last mail to `to`. */
async function tokenMailedTo(to: string): Promise<{ token: string; subject: string; link: string }> {
  const { db } = await testContext();
  for (;;) if ((await sendPendingMail(db.knex, transport, { batchSize: 100 })).claimed === 0) break;
  const mail = smtp.mails.filter((m) => m.to.includes(to)).at(-1);
  if (!mail) throw new Error(`no mail to ${to}`);
  const link = /(http\S+\/mot-de-passe#jeton=([A-Za-z0-9_-]+))/.exec(mail.text);
  if (!link) throw new Error(`no link in ${mail.text}`);
  return { token: link[2]!, subject: mail.subject, link: link[1]! };
}

const setPassword = (token: string, password: string) => api('/api/auth/password', { body: { token, password } });
const signIn = (email: string, password: string) => api('/api/auth/login', { body: { email, password } });

describe('one-time password links, through a real SMTP server', () => {
  it('when an admin creates an account, then the person receives a link, sets a password once and signs in; the link cannot be used twice', async () => {
    const created = await api('/api/admin/users', { cookie: admin, body: { email: 'invitee@exemple.fr', name: 'Invitée', role: 'commune_user', communeInsee: '91027' } });
    expect(created.status).toBe(201);
    const { token, subject, link } = await tokenMailedTo('invitee@exemple.fr');
    expect(subject).toBe('[GUP] Votre compte GUP');
    expect(link.startsWith((await testContext()).baseUrl) || link.includes('/mot-de-passe#jeton=')).toBe(true);
    const { db } = await testContext();
    const stored = await db.knex('password_tokens').where({ user_id: created.body.user.id }).first();
    expect(stored.token_hash).not.toBe(token); // only its hash
    expect(stored.token_hash).toMatch(/^[0-9a-f]{64}$/);

    expect((await signIn('invitee@exemple.fr', 'un-mot-de-passe-solide')).status).toBe(401); // no password before the link
    expect((await setPassword(token, 'court')).status).toBe(400);
    expect((await setPassword(token, 'un-mot-de-passe-solide')).status).toBe(204);
    const ok = await signIn('invitee@exemple.fr', 'un-mot-de-passe-solide');
    expect(ok.status).toBe(200);
    expect(ok.body.user).toMatchObject({ role: 'commune_user', communeInsee: '91027' });
    const twice = await setPassword(token, 'un-autre-mot-de-passe');
    expect(twice.status).toBe(410);
    expect(twice.body.error.details[0].field).toBe('token');
    expect((await signIn('invitee@exemple.fr', 'un-autre-mot-de-passe')).status).toBe(401);
  });

  it('when an admin resets a password, then the old one and its sessions stop at once, and the mailed link sets a new one', async () => {
    const created = await api('/api/admin/users', { cookie: admin, body: { email: 'oubli@exemple.fr', name: 'Oublieux', role: 'planner' } });
    await setPassword((await tokenMailedTo('oubli@exemple.fr')).token, 'ancien-mot-de-passe');
    const cookie = (await signIn('oubli@exemple.fr', 'ancien-mot-de-passe')).headers.get('set-cookie')!.split(';')[0]!;
    expect((await api('/api/auth/me', { cookie })).status).toBe(200);

    const reset = await api(`/api/admin/users/${created.body.user.id}/password-reset`, { method: 'POST', cookie: admin });
    expect(reset.status).toBe(202);
    expect((await api('/api/auth/me', { cookie })).status).toBe(401);
    expect((await signIn('oubli@exemple.fr', 'ancien-mot-de-passe')).status).toBe(401);
    const { token, subject } = await tokenMailedTo('oubli@exemple.fr');
    expect(subject).toBe('[GUP] Nouveau mot de passe');
    expect((await setPassword(token, 'nouveau-mot-de-passe')).status).toBe(204);
    expect((await signIn('oubli@exemple.fr', 'nouveau-mot-de-passe')).status).toBe(200);
    const { db } = await testContext();
    const entry = await db.knex('audit_log').where({ action: 'user.password_reset', entity_id: String(created.body.user.id) }).first();
    expect(JSON.stringify(entry.details)).not.toContain(token);
  });

  it('when a link has expired, then it is refused and the password is unchanged', async () => {
    const created = await api('/api/admin/users', { cookie: admin, body: { email: 'tardif@exemple.fr', name: 'Tardif', role: 'planner' } });
    const { token } = await tokenMailedTo('tardif@exemple.fr');
    const { db } = await testContext();
    const before = await db.knex('users').where({ id: created.body.user.id }).first('password_hash');
    await db.knex('password_tokens').where({ user_id: created.body.user.id }).update({ expires_at: new Date(Date.now() - 1000) });
    expect((await setPassword(token, 'trop-tard-pour-ce-lien')).status).toBe(410);
    expect(await db.knex('users').where({ id: created.body.user.id }).first('password_hash')).toEqual(before);
  });

  it('when the token is unknown or the body malformed, then 4xx naming the field', async () => {
    const unknown = await setPassword('x'.repeat(43), 'un-mot-de-passe-solide');
    expect(unknown.status).toBe(410);
    const missing = await api('/api/auth/password', { body: { password: 'un-mot-de-passe-solide' } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details[0].field).toBe('token');
  });
});
