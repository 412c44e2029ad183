import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../support/context.js';
import { DEMO, pointIn } from '../support/geo.js';
import { api, login } from '../support/http.js';
import { postReport, reportBody } from '../support/reports.js';

let admin: string;
const others: Record<string, string> = {};
const OTHER_ROLES = { planner: 'urbaniste@demo.gup', gup_officer: 'gup@demo.gup', commune_user: 'mairie.athis@demo.gup', service_agent: 'oph@demo.gup' };

beforeAll(async () => {
  admin = await login('admin@demo.gup');
  for (const [role, email] of Object.entries(OTHER_ROLES)) others[role] = await login(email);
});

const db = async () => (await testContext()).db.knex;
const auditCount = async () => Number((await (await db())('audit_log').count({ n: '*' }))[0]!.n);
const lastAudit = async (action: string) => (await db())('audit_log').where({ action }).orderBy('id', 'desc').first();
const detailsOf = (row: { details: unknown }) => (typeof row.details === 'string' ? JSON.parse(row.details) : row.details) as { before: any; after: any; effect?: any };

/** Every admin route, with a body that an admin's call would accept or that reaches the handler. */
const ROUTES: [string, string, unknown?][] = [
  ['GET', '/api/admin/users'],
  ['POST', '/api/admin/users', { email: 'intrus@example.org', name: 'Intrus', role: 'admin' }],
  ['GET', '/api/admin/users/1'],
  ['PATCH', '/api/admin/users/1', { active: false }],
  ['POST', '/api/admin/users/1/password-reset'],
  ['GET', '/api/admin/config'],
  ['POST', '/api/admin/config/preview', { config: {} }],
  ['PUT', '/api/admin/config', { config: {} }],
  ['GET', '/api/admin/imports'],
  ['GET', '/api/admin/imports/1'],
  ['POST', '/api/admin/imports'],
  ['GET', '/api/admin/open311-keys'],
  ['POST', '/api/admin/open311-keys', { communeInsee: '91027', label: 'Intrus' }],
  ['DELETE', '/api/admin/open311-keys/1'],
  ['GET', '/api/admin/outbox'],
  ['POST', '/api/admin/outbox/1/retry'],
  ['GET', '/api/admin/audit'],
];

describe('admin routes are for admins only', () => {
  it.each(Object.keys(OTHER_ROLES))('when a %s calls any admin route, then 403 and nothing changes', async (role) => {
    const before = { audit: await auditCount(), users: await (await db())('users').select('id', 'active', 'role', 'password_hash').orderBy('id'), keys: await (await db())('open311_keys').select('id', 'active').orderBy('id') };
    for (const [method, path, body] of ROUTES) {
      const res = await api(path, { method, cookie: others[role], ...(body === undefined ? {} : { body }) });
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    expect(await auditCount()).toBe(before.audit);
    expect(await (await db())('users').select('id', 'active', 'role', 'password_hash').orderBy('id')).toEqual(before.users);
    expect(await (await db())('open311_keys').select('id', 'active').orderBy('id')).toEqual(before.keys);
  });

  it('when nobody is signed in, then every admin route is a 401', async () => {
    for (const [method, path, body] of ROUTES) expect((await api(path, { method, ...(body === undefined ? {} : { body }) })).status, `${method} ${path}`).toBe(401);
  });
});

describe('accounts', () => {
  it('when an admin creates a commune user, then the e-mail is normalised, the scope stored, an invitation link queued and the creation audited', async () => {
    const res = await api('/api/admin/users', { cookie: admin, body: { email: '  Agent.Nouveau@Exemple.FR ', name: 'Agent nouveau', role: 'commune_user', communeInsee: '91326' } });
    expect(res.status).toBe(201);
    expect(res.body.user).toMatchObject({ email: 'agent.nouveau@exemple.fr', role: 'commune_user', communeInsee: '91326', serviceCode: null, active: true });
    const mail = await (await db())('outbox').where({ to_address: 'agent.nouveau@exemple.fr' }).orderBy('id', 'desc').first();
    expect(mail.body).toMatch(/\/mot-de-passe#jeton=[A-Za-z0-9_-]{40,}/);
    const entry = await lastAudit('user.create');
    expect(entry.entity_id).toBe(String(res.body.user.id));
    expect(detailsOf(entry)).toMatchObject({ before: null, after: { email: 'agent.nouveau@exemple.fr', role: 'commune_user', communeInsee: '91326' } });
    expect(JSON.stringify(entry.details)).not.toContain('jeton');
    const again = await api('/api/admin/users', { cookie: admin, body: { email: 'AGENT.nouveau@exemple.fr', name: 'Doublon', role: 'planner' } });
    expect(again.status).toBe(409);
    expect(again.body.error.details[0].field).toBe('email');
  });

  it.each([
    [{ role: 'commune_user' }, 'communeInsee'],
    [{ role: 'commune_user', communeInsee: '75056' }, 'communeInsee'],
    [{ role: 'commune_user', communeInsee: '91027', serviceCode: 'oph-proximite' }, 'serviceCode'],
    [{ role: 'service_agent' }, 'serviceCode'],
    [{ role: 'service_agent', serviceCode: 'inconnu' }, 'serviceCode'],
    [{ role: 'service_agent', serviceCode: 'oph-proximite', communeInsee: '91027' }, 'communeInsee'],
    [{ role: 'planner', serviceCode: 'oph-proximite' }, 'serviceCode'],
    [{ role: 'gup_officer', organisationCode: 'nulle-part' }, 'organisationCode'],
    [{ role: 'chef' }, 'role'],
  ])('when the scope %o does not fit the role, then 4xx naming %s and nothing is stored', async (scope, field) => {
    const users = await (await db())('users').count({ n: '*' });
    const audits = await auditCount();
    const res = await api('/api/admin/users', { cookie: admin, body: { email: 'refuse@exemple.fr', name: 'Refusé', ...scope } });
    expect([400, 422]).toContain(res.status);
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(await (await db())('users').count({ n: '*' })).toEqual(users);
    expect(await auditCount()).toBe(audits);
  });

  it('when an admin deactivates a signed-in user, then their session ends at once and the change is audited with before and after', async () => {
    const created = await api('/api/admin/users', { cookie: admin, body: { email: 'a.desactiver@exemple.fr', name: 'À désactiver', role: 'gup_officer' } });
    const id = created.body.user.id as number;
    await (await db())('users').where({ id }).update({ password_hash: (await (await db())('users').where({ email: 'gup@demo.gup' }).first('password_hash')).password_hash });
    const cookie = await login('a.desactiver@exemple.fr', { fresh: true });
    expect((await api('/api/auth/me', { cookie })).status).toBe(200);
    const res = await api(`/api/admin/users/${id}`, { method: 'PATCH', cookie: admin, body: { active: false } });
    expect(res.status).toBe(200);
    expect(res.body.user.active).toBe(false);
    expect((await api('/api/auth/me', { cookie })).status).toBe(401);
    expect((await api('/api/auth/login', { body: { email: 'a.desactiver@exemple.fr', password: 'demo-gup-2026' } })).status).toBe(401);
    expect(detailsOf(await lastAudit('user.deactivate'))).toMatchObject({ before: { active: true, role: 'gup_officer' }, after: { active: false } });
  });

  it('when an admin changes a role, then the new scope is checked by the same rule, and the admin cannot demote or deactivate themself', async () => {
    const created = await api('/api/admin/users', { cookie: admin, body: { email: 'changement@exemple.fr', name: 'Changement', role: 'planner' } });
    const id = created.body.user.id as number;
    const bad = await api(`/api/admin/users/${id}`, { method: 'PATCH', cookie: admin, body: { role: 'service_agent' } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0].field).toBe('serviceCode');
    expect((await (await db())('users').where({ id }).first('role')).role).toBe('planner');
    const ok = await api(`/api/admin/users/${id}`, { method: 'PATCH', cookie: admin, body: { role: 'service_agent', serviceCode: 'oph-proximite' } });
    expect(ok.body.user).toMatchObject({ role: 'service_agent', serviceCode: 'oph-proximite', organisationCode: 'oph' });
    expect(detailsOf(await lastAudit('user.update'))).toMatchObject({ before: { role: 'planner', serviceCode: null }, after: { role: 'service_agent', serviceCode: 'oph-proximite' } });
    const back = await api(`/api/admin/users/${id}`, { method: 'PATCH', cookie: admin, body: { role: 'commune_user', communeInsee: '91326' } });
    expect(back.body.user).toMatchObject({ role: 'commune_user', communeInsee: '91326', serviceCode: null, organisationCode: null }); // the service's scope does not follow
    const planner = await api(`/api/admin/users/${id}`, { method: 'PATCH', cookie: admin, body: { role: 'planner' } });
    expect(planner.body.user).toMatchObject({ role: 'planner', communeInsee: null, serviceCode: null });
    const me = (await api('/api/auth/me', { cookie: admin })).body.user.id as number;
    expect((await api(`/api/admin/users/${me}`, { method: 'PATCH', cookie: admin, body: { active: false } })).status).toBe(409);
    expect((await api(`/api/admin/users/${me}`, { method: 'PATCH', cookie: admin, body: { role: 'planner' } })).status).toBe(409);
    expect((await api('/api/admin/users/2147483648', { method: 'PATCH', cookie: admin, body: { active: false } })).status).toBe(400);
    expect((await api('/api/admin/users/999999', { method: 'PATCH', cookie: admin, body: { active: false } })).status).toBe(404);
  });
});

describe('territory configuration', () => {
  let original: Record<string, any>;
  beforeAll(async () => {
    const res = await api('/api/admin/config', { cookie: admin });
    expect(res.status).toBe(200);
    original = res.body.config;
  });
  afterAll(async () => {
    if (original) expect((await api('/api/admin/config', { method: 'PUT', cookie: admin, body: { config: original } })).status).toBe(200);
  });

  const withDelay = (ackHours: number) => ({ ...original, categories: original.categories.map((c: any) => (c.code === 'depot_sauvage' ? { ...c, ackHours } : c)) });
  const storedDelay = async () => (await (await db())('categories').where({ code: 'depot_sauvage' }).first('ack_hours')).ack_hours;

  it('when an admin previews a changed delay, then the effect names the category with before and after, and nothing is stored', async () => {
    const audits = await auditCount();
    const res = await api('/api/admin/config/preview', { cookie: admin, body: { config: withDelay(77) } });
    expect(res.status).toBe(200);
    expect(res.body.effect.delays).toEqual([expect.objectContaining({ code: 'depot_sauvage', before: expect.objectContaining({ ackHours: 24 }), after: expect.objectContaining({ ackHours: 77 }) })]);
    expect(res.body.effect.routes).toEqual([]);
    expect(await storedDelay()).toBe(24);
    expect(await auditCount()).toBe(audits);
  });

  it('when the preview moves a manager, then the route change is listed', async () => {
    const config = { ...original, managers: original.managers.map((m: any) => (m.organisation === 'oph' ? { ...m, service: 'esh-gestion' } : m)) };
    const res = await api('/api/admin/config/preview', { cookie: admin, body: { config } });
    expect(res.body.effect.routes).toContainEqual({ rule: 'manager', key: 'oph × *', before: 'oph-proximite', after: 'esh-gestion' });
    expect((await (await db())('managers').where({ organisation_code: 'oph' }).first('service_code')).service_code).toBe('oph-proximite');
  });

  it.each([
    [(c: any) => ({ ...c, categories: c.categories.map((x: any, i: number) => (i === 0 ? { ...x, ackHours: -3 } : x)) }), 'categories.0.ackHours'],
    [(c: any) => ({ ...c, themes: c.themes.map((x: any, i: number) => (i === 0 ? { ...x, mode: 'competence', service: 'inconnu' } : x)) }), 'themes.0.service'],
    [(c: any) => ({ ...c, triageService: 'nulle-part' }), 'triageService'],
  ])('when the configuration is invalid, then 422 naming the field and nothing is stored', async (change, field) => {
    const audits = await auditCount();
    for (const method of ['POST', 'PUT']) {
      const res = await api(method === 'POST' ? '/api/admin/config/preview' : '/api/admin/config', { method, cookie: admin, body: { config: change(original) } });
      expect(res.status).toBe(422);
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    expect(await storedDelay()).toBe(24);
    expect(await auditCount()).toBe(audits);
  });

  it('when an admin saves a new delay, then the next report gets it at once (no restart) and the change is audited with before and after', async () => {
    const athis = await login('mairie.athis@demo.gup');
    const [lon, lat] = await pointIn(DEMO.landlordOph);
    await postReport(athis, reportBody(lon, lat)); // the territory is in the server's cache now
    const res = await api('/api/admin/config', { method: 'PUT', cookie: admin, body: { config: withDelay(77) } });
    expect(res.status).toBe(200);
    expect(res.body.effect.delays[0]).toMatchObject({ code: 'depot_sauvage', after: { ackHours: 77 } });
    const report = await postReport(athis, reportBody(lon, lat));
    expect(report.status).toBe(201);
    const hours = (Date.parse(report.body.ackDueAt) - Date.now()) / 3600_000;
    expect(hours).toBeGreaterThan(76);
    expect(hours).toBeLessThan(77.1);
    const entry = detailsOf(await lastAudit('config.update'));
    expect(entry.before.categories.find((c: any) => c.code === 'depot_sauvage').ackHours).toBe(24);
    expect(entry.after.categories.find((c: any) => c.code === 'depot_sauvage').ackHours).toBe(77);
    expect(entry.effect.delays[0].code).toBe('depot_sauvage');
  });

  it('when the body is not a configuration object, then 400 naming config', async () => {
    const res = await api('/api/admin/config/preview', { cookie: admin, body: { config: 'non' } });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe('config');
  });
});

describe('Open311 keys', () => {
  const file = (key: string, lon: number, lat: number) => api('/open311/v2/requests.json', {
    method: 'POST',
    raw: new URLSearchParams({ api_key: key, service_code: 'graffiti', lat: String(lat), long: String(lon), description: 'Tag (clé admin)' }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });

  it('when an admin creates a key, then it is shown once, works, and once revoked it fails; both audited', async () => {
    const created = await api('/api/admin/open311-keys', { cookie: admin, body: { communeInsee: '91027', label: 'Logiciel test admin' } });
    expect(created.status).toBe(201);
    const { id, key } = created.body.key;
    expect(key).toMatch(/^gup311_/);
    const list = await api('/api/admin/open311-keys', { cookie: admin });
    expect(list.body.keys.find((k: any) => k.id === id)).toMatchObject({ label: 'Logiciel test admin', active: true });
    expect(JSON.stringify(list.body)).not.toContain(key);
    const [lon, lat] = await pointIn(DEMO.landlordOph);
    expect((await file(key, lon, lat)).status).toBe(201);
    expect((await api(`/api/admin/open311-keys/${id}`, { method: 'DELETE', cookie: admin })).status).toBe(204);
    expect((await file(key, lon, lat)).status).toBe(403);
    expect(detailsOf(await lastAudit('open311.key.create'))).toMatchObject({ before: null, after: { commune: '91027', label: 'Logiciel test admin' } });
    const revoke = await lastAudit('open311.key.revoke');
    expect(revoke.entity_id).toBe(String(id));
    expect(detailsOf(revoke)).toEqual({ before: { active: true }, after: { active: false } });
    expect((await api('/api/admin/open311-keys/999999', { method: 'DELETE', cookie: admin })).status).toBe(404);
    expect((await api('/api/admin/open311-keys', { cookie: admin, body: { communeInsee: '91027' } })).body.error.details[0].field).toBe('label');
  });
});

describe('outbox and audit log', () => {
  it('when an admin retries a failed message, then it is pending again and audited; a message that did not fail is a 409', async () => {
    const k = await db();
    const [row] = await k('outbox').insert({ to_address: 'perdu@exemple.fr', subject: 'Test', body: 'x', status: 'failed', attempts: 8, last_error: '550 Mailbox unavailable' }).returning('id');
    const id = Number((row as { id: string }).id);
    const res = await api(`/api/admin/outbox/${id}/retry`, { method: 'POST', cookie: admin });
    expect(res.status).toBe(200);
    expect(await k('outbox').where({ id }).first('status', 'attempts')).toEqual({ status: 'pending', attempts: 0 });
    expect(detailsOf(await lastAudit('outbox.retry'))).toEqual({ before: { status: 'failed', attempts: 8, lastError: '550 Mailbox unavailable' }, after: { status: 'pending', attempts: 0 } });
    expect((await api(`/api/admin/outbox/${id}/retry`, { method: 'POST', cookie: admin })).status).toBe(409);
    expect((await api('/api/admin/outbox/999999999/retry', { method: 'POST', cookie: admin })).status).toBe(404);
    await k('outbox').where({ id }).delete();
  });

  it('when an admin filters the audit log by action, author and day, then only those entries come, with before and after', async () => {
    const me = (await api('/api/auth/me', { cookie: admin })).body.user.id as number;
    const today = new Date().toISOString().slice(0, 10);
    const res = await api(`/api/admin/audit?action=user.&user=${me}&from=${today}&to=${today}`, { cookie: admin });
    expect(res.status).toBe(200);
    expect(res.body.entries.length).toBeGreaterThan(0);
    for (const e of res.body.entries) {
      expect(e.action.startsWith('user.')).toBe(true);
      expect(e.userId).toBe(me);
      expect(e.details).toHaveProperty('after');
    }
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    expect((await api(`/api/admin/audit?action=user.&to=${yesterday}&from=${yesterday}&user=${me}`, { cookie: admin })).body.entries).toEqual([]);
    const bad = await api('/api/admin/audit?from=hier', { cookie: admin });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('from');
  });
});
