import net from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../server/src/auth/passwords.js';
import { upsertUser } from '../../server/src/data/users.js';
import { testContext } from '../support/context.js';
import { api, login } from '../support/http.js';

/** A commune user of Athis-Mons of its own (deactivated and promoted below: no demo account is touched). */
const OWNER = 'jetons.athis@demo.gup';
const OTHER = 'jetons.autre@demo.gup';
const PASSWORD = 'jetons-test-2026';
const LOOKUP = '/api/lookup?lon=2.3863&lat=48.7065';

let ownerCookie: string;
let otherCookie: string;

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const create = async (cookie: string, body: unknown) => api('/api/auth/tokens', { cookie, body });

beforeAll(async () => {
  const { db } = await testContext();
  const passwordHash = await hashPassword(PASSWORD);
  await upsertUser(db.knex, { email: OWNER, name: 'Jetons Athis', role: 'commune_user', communeInsee: '91027', passwordHash });
  await upsertUser(db.knex, { email: OTHER, name: 'Jetons Autre', role: 'commune_user', communeInsee: '91326', passwordHash });
  ownerCookie = await login(OWNER, { password: PASSWORD, fresh: true });
  otherCookie = await login(OTHER, { password: PASSWORD, fresh: true });
});

describe('personal API tokens', () => {
  it('when a user creates a token, then its secret is shown once, only its SHA-256 is stored, and the list never shows it', async () => {
    const res = await create(ownerCookie, { label: 'QGIS poste 1', expiresInDays: 30 });
    expect(res.status).toBe(201);
    expect(res.body.token).toMatch(/^gup_pat_[A-Za-z0-9_-]{43}$/);
    expect(res.body).toMatchObject({ label: 'QGIS poste 1', lastUsedAt: null });
    const days = (Date.parse(res.body.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);

    const { db } = await testContext();
    const row = await db.knex('api_tokens').where({ id: res.body.id }).first();
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(res.body.token.slice(8));

    const list = await api('/api/auth/tokens', { cookie: ownerCookie });
    expect(list.status).toBe(200);
    expect(list.body.tokens.map((t: { id: number }) => t.id)).toContain(res.body.id);
    expect(JSON.stringify(list.body)).not.toContain(res.body.token.slice(8));
    expect(Object.keys(list.body.tokens[0]).sort()).toEqual(['createdAt', 'expiresAt', 'id', 'label', 'lastUsedAt']);
    // another user's list does not hold it
    const others = await api('/api/auth/tokens', { cookie: otherCookie });
    expect(others.body.tokens.map((t: { id: number }) => t.id)).not.toContain(res.body.id);
  });

  it('when a token is sent as Bearer, then it opens an Express route and the lean path as its owner, and its use is recorded', async () => {
    const { body } = await create(ownerCookie, { label: 'GDAL' });
    expect((Date.parse(body.expiresAt) - Date.now()) / 86_400_000).toBeGreaterThan(364); // a year unless told
    const me = await api('/api/auth/me', { headers: bearer(body.token) });
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ email: OWNER, role: 'commune_user', communeInsee: '91027' });
    const lookup = await api(LOOKUP, { headers: bearer(body.token) });
    expect(lookup.status).toBe(200);
    expect(lookup.body.commune).toBeTruthy();
    // the same answers as the owner's session (scoped lists included)
    const viaCookie = await api('/api/reports', { cookie: ownerCookie });
    const viaToken = await api('/api/reports', { headers: bearer(body.token) });
    expect(viaToken.status).toBe(200);
    expect(viaToken.body).toEqual(viaCookie.body);
    const listed = (await api('/api/auth/tokens', { cookie: ownerCookie })).body.tokens.find((t: { id: number }) => t.id === body.id);
    expect(listed.lastUsedAt).not.toBeNull();
  });

  it('when the owner\'s role changes, then the token carries the new rights at once', async () => {
    const { db } = await testContext();
    const { body } = await create(ownerCookie, { label: 'rôle' });
    expect((await api('/api/admin/outbox', { headers: bearer(body.token) })).status).toBe(403);
    await db.knex('users').where({ email: OWNER }).update({ role: 'admin' });
    try {
      expect((await api('/api/admin/outbox', { headers: bearer(body.token) })).status).toBe(200);
    } finally {
      await db.knex('users').where({ email: OWNER }).update({ role: 'commune_user' });
    }
    expect((await api('/api/admin/outbox', { headers: bearer(body.token) })).status).toBe(403);
  });

  it('when a token is revoked, then it is refused at once on both transports', async () => {
    const { body } = await create(ownerCookie, { label: 'à révoquer' });
    expect((await api('/api/auth/me', { headers: bearer(body.token) })).status).toBe(200);
    expect((await api(LOOKUP, { headers: bearer(body.token) })).status).toBe(200);
    expect((await api(`/api/auth/tokens/${body.id}`, { method: 'DELETE', cookie: ownerCookie })).status).toBe(204);
    const me = await api('/api/auth/me', { headers: bearer(body.token) });
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe('invalid_token');
    expect((await api(LOOKUP, { headers: bearer(body.token) })).status).toBe(401);
    const list = await api('/api/auth/tokens', { cookie: ownerCookie });
    expect(list.body.tokens.map((t: { id: number }) => t.id)).not.toContain(body.id);
    expect((await api(`/api/auth/tokens/${body.id}`, { method: 'DELETE', cookie: ownerCookie })).status).toBe(404);
  });

  it('when a token has expired, then it is refused and no longer listed', async () => {
    const { db } = await testContext();
    const { body } = await create(ownerCookie, { label: 'expiré', expiresInDays: 1 });
    expect((await api('/api/auth/me', { headers: bearer(body.token) })).status).toBe(200);
    await db.knex('api_tokens').where({ id: body.id }).update({ expires_at: new Date(Date.now() - 1000) });
    expect((await api('/api/auth/me', { headers: bearer(body.token) })).status).toBe(401);
    expect((await api(LOOKUP, { headers: bearer(body.token) })).status).toBe(401);
    const list = await api('/api/auth/tokens', { cookie: ownerCookie });
    expect(list.body.tokens.map((t: { id: number }) => t.id)).not.toContain(body.id);
  });

  it('when a user revokes another user\'s token, then 404 and the token still works', async () => {
    const { body } = await create(otherCookie, { label: 'à un autre' });
    const res = await api(`/api/auth/tokens/${body.id}`, { method: 'DELETE', cookie: ownerCookie });
    expect(res.status).toBe(404);
    expect((await api('/api/auth/me', { headers: bearer(body.token) })).body.user.email).toBe(OTHER);
  });

  it('when a token tries to create a token, then 403: it takes a signed-in session; it may list and revoke', async () => {
    const { body } = await create(ownerCookie, { label: 'sans pouvoir' });
    const res = await api('/api/auth/tokens', { headers: bearer(body.token), body: { label: 'enfant' } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('session_required');
    expect((await api('/api/auth/tokens', { cookie: ownerCookie })).body.tokens.map((t: { label: string }) => t.label)).not.toContain('enfant');
    expect((await api('/api/auth/tokens', { headers: bearer(body.token) })).status).toBe(200);
    // a program with a token and no cookie passes the same-origin check of writes (no ambient credential)…
    expect((await api(`/api/auth/tokens/${body.id}`, { method: 'DELETE', headers: { ...bearer(body.token), origin: 'https://ailleurs.example' } })).status).toBe(204);
  });

  it('when another site\'s page sends a write with the cookie, then a token beside it does not lift the origin check (403)', async () => {
    const { body } = await create(ownerCookie, { label: 'avec cookie' });
    const res = await api(`/api/auth/tokens/${body.id}`, { method: 'DELETE', cookie: ownerCookie, headers: { ...bearer(body.token), origin: 'https://ailleurs.example', 'sec-fetch-site': 'cross-site' } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('cross_origin');
    expect((await api('/api/auth/me', { headers: bearer(body.token) })).status).toBe(200);
  });

  it('when the owner is deactivated, then the token is refused', async () => {
    const { db } = await testContext();
    const { body } = await create(ownerCookie, { label: 'désactivé' });
    expect((await api('/api/auth/me', { headers: bearer(body.token) })).status).toBe(200);
    await db.knex('users').where({ email: OWNER }).update({ active: false });
    try {
      expect((await api('/api/auth/me', { headers: bearer(body.token) })).status).toBe(401);
      expect((await api(LOOKUP, { headers: bearer(body.token) })).status).toBe(401);
    } finally {
      await db.knex('users').where({ email: OWNER }).update({ active: true });
    }
    ownerCookie = await login(OWNER, { password: PASSWORD, fresh: true });
  });

  it('when the creation body is wrong, then 400 names the field and no token is made', async () => {
    const { db } = await testContext();
    const before = await db.knex('api_tokens').count({ n: '*' }).first();
    for (const [body, field] of [
      [{}, 'label'], [{ label: '   ' }, 'label'], [{ label: 'x'.repeat(101) }, 'label'], [{ label: 'a', expiresInDays: 0 }, 'expiresInDays'],
      [{ label: 'a', expiresInDays: 1.5 }, 'expiresInDays'], [{ label: 'a', expiresInDays: 10_000 }, 'expiresInDays'], [{ label: 'a', expiresInDays: '7' }, 'expiresInDays'],
      [{ label: 'a\u0000b' }, 'label'],
    ] as const) {
      const res = await create(ownerCookie, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.details.map((d: { field: string }) => d.field), JSON.stringify(body)).toContain(field);
    }
    expect((await db.knex('api_tokens').count({ n: '*' }).first())!.n).toEqual(before!.n);
    expect((await api('/api/auth/tokens/abc', { method: 'DELETE', cookie: ownerCookie })).status).toBe(400);
  });

  it('when a user holds the most tokens allowed, then one more is a 409', async () => {
    const { db } = await testContext();
    const held = Number((await db.knex('api_tokens').join('users', 'users.id', 'api_tokens.user_id').where('users.email', OTHER).count({ n: '*' }).first())!.n);
    for (let i = held; i < 20; i++) expect((await create(otherCookie, { label: `n° ${i}` })).status).toBe(201);
    const res = await create(otherCookie, { label: 'de trop' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('too_many_tokens');
  });

  it('when the Authorization header is malformed, huge or foreign, then 401 (or 400/431 from the HTTP parser), never 500', async () => {
    const valid = (await create(ownerCookie, { label: 'forme' })).body.token as string;
    const cases = [
      'Bearer', 'Bearer ', 'Bearer gup_pat_short', `Bearer ${valid}x`, `Bearer ${valid.slice(0, -1)}!`, `Bearer gup_pat_${'a'.repeat(10_000)}`,
      `Bearer ${valid.replace('gup_pat_', 'xxx_pat_')}`, `Bearer ${valid} ${valid}`, `Bearer\t${'é'.repeat(20)}`,
    ];
    for (const header of cases) {
      for (const path of ['/api/auth/me', LOOKUP]) {
        const res = await api(path, { headers: { authorization: header } });
        expect(res.status, `${path} ${header.slice(0, 40)}`).toBe(401);
      }
    }
    // a GUP token that fails wins over a valid cookie (no silent fallback)
    expect((await api('/api/auth/me', { headers: { authorization: 'Bearer gup_pat_nope' }, cookie: ownerCookie })).status).toBe(401);
    expect((await api('/api/auth/me', { headers: { authorization: `Bearer ${valid.slice(0, -2)}zz` }, cookie: ownerCookie })).status).toBe(401);
    // another Bearer value (a proxy's, another system's) or another scheme is not a GUP token: the cookie decides
    expect((await api('/api/auth/me', { headers: { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.x' }, cookie: ownerCookie })).status).toBe(200);
    expect((await api('/api/auth/me', { headers: { authorization: 'Basic dXNlcjpwdw==' }, cookie: ownerCookie })).status).toBe(200);
    expect((await api('/api/auth/me', { headers: { authorization: 'Basic dXNlcjpwdw==' } })).status).toBe(401);
    // bytes fetch() refuses to send: NUL, a header past Node's limit
    const { baseUrl } = await testContext();
    for (const header of [`Bearer gup_pat_\u0000${'a'.repeat(42)}`, `Bearer ${'a'.repeat(20_000)}`]) {
      for (const path of ['/api/auth/me', LOOKUP]) {
        const status = await rawStatus(baseUrl, path, header);
        expect([400, 401, 431], `${path} ${JSON.stringify(header.slice(0, 20))}`).toContain(status);
      }
    }
    expect((await api('/api/auth/me', { headers: bearer(valid) })).status).toBe(200); // the server is still serving
  });
});

/** The status of a GET whose Authorization header is written byte for byte on the socket. */
function rawStatus(baseUrl: string, path: string, authorization: string): Promise<number> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.end(`GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: ${authorization}\r\nConnection: close\r\n\r\n`);
    });
    let head = '';
    socket.on('data', (chunk: Buffer) => { head += chunk.toString('latin1'); });
    socket.on('end', () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(head);
      if (m) resolve(Number(m[1])); else reject(new Error(`no status line: ${head.slice(0, 80)}`));
    });
    socket.on('error', reject);
  });
}
