import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../support/context.js';
import { api, login } from '../support/http.js';

// The action plan's list in pages (GET /api/actions?limit=&offset=): the officer's page in the browser holds one page,
// the total counts every item the caller sees (scope and filters), bad paging parameters are 400s naming the field.

const TITLE = 'Action de pagination (test)';
let officer: string;
let athis: string;

type Item = { id: number; communeInsee: string };

beforeAll(async () => {
  officer = await login('gup@demo.gup');
  athis = await login('mairie.athis@demo.gup');
  for (const [i, commune] of ['91027', '91027', '91326'].entries()) {
    const a = await api('/api/actions', { cookie: officer, body: { title: `${TITLE} ${i}`, commune, origin: 'committee', dueOn: `2031-0${i + 1}-01` } });
    expect(a.status, JSON.stringify(a.body)).toBe(201);
  }
});

afterAll(async () => {
  const { db } = await testContext();
  await db.knex('action_items').where('title', 'like', `${TITLE}%`).delete();
});

describe('the action plan in pages', () => {
  it('when the officer reads the list page by page, then each page holds the next items of the whole list in its order, and the total counts them all', async () => {
    const all = await api('/api/actions', { cookie: officer });
    expect(all.status).toBe(200);
    const ids = all.body.actions.map((a: Item) => a.id);
    expect(all.body.total).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(3);
    const first = await api('/api/actions?limit=2&offset=0', { cookie: officer });
    expect(first.body.actions.map((a: Item) => a.id)).toEqual(ids.slice(0, 2));
    expect(first.body.total).toBe(ids.length);
    const second = await api('/api/actions?limit=2&offset=2', { cookie: officer });
    expect(second.body.actions.map((a: Item) => a.id)).toEqual(ids.slice(2, 4));
    const last = await api(`/api/actions?limit=2&offset=${ids.length - 1}`, { cookie: officer });
    expect(last.body.actions.map((a: Item) => a.id)).toEqual(ids.slice(-1));
    const beyond = await api(`/api/actions?limit=2&offset=${ids.length}`, { cookie: officer });
    expect(beyond.body).toEqual({ actions: [], total: ids.length });
  });

  it('when a commune user pages its plan with a filter, then the total counts only its commune\'s items under that filter', async () => {
    const mine = (await api('/api/actions?status=planned', { cookie: athis })).body.actions as (Item & { status: string })[];
    expect(mine.every((a) => a.communeInsee === '91027' && a.status === 'planned')).toBe(true);
    const page = await api('/api/actions?status=planned&limit=1', { cookie: athis });
    expect(page.body.total).toBe(mine.length);
    expect(page.body.actions.map((a: Item) => a.id)).toEqual(mine.slice(0, 1).map((a) => a.id));
    const everyone = await api('/api/actions?status=planned&limit=1', { cookie: officer });
    expect(everyone.body.total).toBeGreaterThan(mine.length); // the Juvisy item counts for the officer only
  });

  it('when the CSV is asked with paging parameters, then it still holds every item', async () => {
    const all = (await api('/api/actions', { cookie: officer })).body.total as number;
    const csv = await api('/api/actions?format=csv&limit=1&offset=1', { cookie: officer });
    expect(csv.status).toBe(200);
    expect((csv.body as string).trim().split('\n').length).toBeGreaterThanOrEqual(all + 1);
  });

  it('when limit or offset is zero, too large, signed, an exponent, hexadecimal or a word, then 400 naming it', async () => {
    const cases: [string, string][] = [
      ['limit=0', 'limit'], ['limit=5001', 'limit'], ['limit=-1', 'limit'], ['limit=1e3', 'limit'], ['limit=0x10', 'limit'], ['limit=dix', 'limit'],
      ['offset=-1', 'offset'], ['offset=99999999999', 'offset'], ['offset=1.5', 'offset'], ['offset=', 'offset'],
    ];
    for (const [q, field] of cases) {
      const res = await api(`/api/actions?${q}`, { cookie: officer });
      expect(res.status, q).toBe(400);
      expect(res.body.error.details.map((d: { field: string }) => d.field), q).toContain(field);
    }
  });
});
