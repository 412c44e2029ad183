import { beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../support/context.js';
import { api, login } from '../support/http.js';

// Attacker's pass: a personal API token (Authorization: Bearer gup_pat_…) on the routes added late. A token stands for
// its owner as the owner is now: once the account is deactivated by an admin, every late route refuses it.

const EMAIL = 'jeton-attaque@exemple.fr';
let admin: string;
let userId: number;
let token: string;

beforeAll(async () => {
  admin = await login('admin@demo.gup');
  const created = await api('/api/admin/users', { cookie: admin, body: { email: EMAIL, name: 'Jeton Attaque', role: 'commune_user', communeInsee: '91027' } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  userId = created.body.user.id;
  const { db } = await testContext();
  const mail = await db.knex('outbox').where({ to_address: EMAIL }).orderBy('id', 'desc').first('body');
  const link = /jeton=([A-Za-z0-9_-]+)/.exec(mail.body as string)![1]!;
  expect((await api('/api/auth/password', { body: { token: link, password: 'un-mot-de-passe-solide' } })).status).toBe(204);
  const cookie = await login(EMAIL, { password: 'un-mot-de-passe-solide', fresh: true });
  const t = await api('/api/auth/tokens', { cookie, body: { label: 'QGIS (attaque)' } });
  expect(t.status, JSON.stringify(t.body)).toBe(201);
  token = t.body.token;
});

/** The late routes a commune user's token reads. */
const READS = ['/api/bilans/2019', '/api/bilans/2019.csv', '/api/broadcasts', '/api/directory?q=propret', '/api/stats?groupBy=theme', '/api/stats/periods', '/api/diagnostics', '/api/actions', '/ogcapi/collections/reports/items?limit=1'];
const bearer = () => ({ authorization: `Bearer ${token}` });

describe('attack: personal tokens on the late routes', () => {
  it('when a commune user\'s token reads the late routes, then it is answered within its scope, and admin routes stay 403', async () => {
    for (const path of READS) expect((await api(path, { headers: bearer() })).status, path).toBe(200);
    expect((await api('/api/bilans/2019?commune=91326', { headers: bearer() })).status).toBe(403);
    for (const path of ['/api/admin/users', '/api/admin/audit', '/api/admin/outbox', '/api/admin/config']) {
      expect((await api(path, { headers: bearer() })).status, path).toBe(403);
    }
    // a token cannot mint a token that would outlive its revocation
    expect((await api('/api/auth/tokens', { headers: bearer(), body: { label: 'enfant' } })).status).toBe(403);
  });

  it('when the admin deactivates the account, then its token is refused at once on every late route (401), with or without a cookie', async () => {
    const off = await api(`/api/admin/users/${userId}`, { method: 'PATCH', cookie: admin, body: { active: false } });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    for (const path of READS) {
      const res = await api(path, { headers: bearer() });
      expect(res.status, path).toBe(401);
      expect(JSON.stringify(res.body), path).not.toContain(EMAIL);
    }
    // a valid cookie of someone else does not rescue a refused token
    const officer = await login('gup@demo.gup');
    expect((await api('/api/broadcasts', { cookie: officer, headers: bearer() })).status).toBe(401);
  });
});
