/**
 * Work lists (issue 12, point 4, the API side): `GET /api/reports?sort=priority` puts the overdue reports first (the
 * most late first), then the other open ones oldest first, then the rest; `GET /api/reports/counts` gives the caller's
 * counts (in all, open, overdue, per status) within its scope.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../support/context.js';
import { DEMO, pointIn } from '../support/geo.js';
import { api, login } from '../support/http.js';

const DAY = 86_400_000;
/** The reports of the test, within a 2 m box of one Juvisy spot; days relative to now. */
const REPORTS = [
  { ref: 'WL-OPEN-NEW', status: 'submitted', createdDays: -1, dueDays: 2 },
  { ref: 'WL-LATE-2', status: 'acknowledged', createdDays: -6, dueDays: -2 },
  { ref: 'WL-RESOLVED', status: 'resolved', createdDays: -20, dueDays: -10 },
  { ref: 'WL-OPEN-OLD', status: 'in_progress', createdDays: -4, dueDays: 3 },
  { ref: 'WL-LATE-5', status: 'transferred', createdDays: -3, dueDays: -5 },
  { ref: 'WL-CLOSED-RECENT', status: 'closed', createdDays: -2, dueDays: 1 },
] as const;

let box: string;
let officer: string;

beforeAll(async () => {
  const { db } = await testContext();
  const spot = await pointIn(DEMO.communeJuvisy);
  const lon = spot[0] + 0.000_3; // beside the other tests' reports on this parcel
  const author = await db.knex('users').where({ email: 'gup@demo.gup' }).first('id');
  const now = Date.now();
  await db.knex('reports').insert(REPORTS.map((r, i) => ({
    reference: r.ref, category_code: 'salissure', description: `Liste de travail ${r.ref}`, status: r.status, commune_insee: '91326',
    service_code: 'com-91326-st', routing: JSON.stringify({}), created_by: author.id, created_at: new Date(now + r.createdDays * DAY),
    ack_due_at: new Date(now + r.createdDays * DAY + DAY), resolve_due_at: new Date(now + r.dueDays * DAY),
    geom: db.knex.raw('ST_SetSRID(ST_MakePoint(?, ?), 4326)', [lon + i * 0.000_001, spot[1]]),
  })));
  box = [lon - 0.000_01, spot[1] - 0.000_01, lon + 0.000_02, spot[1] + 0.000_01].join(',');
  officer = await login('gup@demo.gup');
});

describe('Work lists', () => {
  it('when an officer asks the priority order, then overdue come first (most late first), then open oldest first, then the rest newest first', async () => {
    const res = await api(`/api/reports?sort=priority&bbox=${box}`, { cookie: officer });
    expect(res.status).toBe(200);
    expect(res.body.reports.map((r: any) => r.reference)).toEqual(['WL-LATE-5', 'WL-LATE-2', 'WL-OPEN-OLD', 'WL-OPEN-NEW', 'WL-CLOSED-RECENT', 'WL-RESOLVED']);
  });

  it('when asked oldest first or by default, then the list follows the creation date', async () => {
    const oldest = await api(`/api/reports?sort=oldest&bbox=${box}`, { cookie: officer });
    expect(oldest.body.reports.map((r: any) => r.reference)).toEqual(['WL-RESOLVED', 'WL-LATE-2', 'WL-OPEN-OLD', 'WL-LATE-5', 'WL-CLOSED-RECENT', 'WL-OPEN-NEW']);
    const newest = await api(`/api/reports?bbox=${box}`, { cookie: officer });
    expect(newest.body.reports.map((r: any) => r.reference)).toEqual([...oldest.body.reports.map((r: any) => r.reference)].reverse());
  });

  it('when the service asks its counts, then it gets in all, open, overdue and per status', async () => {
    // the Juvisy technical services have no demo account: the officer's counts filtered on the service stand for its queue
    const res = await api(`/api/reports/counts?service=com-91326-st&bbox=${box}`, { cookie: officer });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      total: 6, open: 4, overdue: 2,
      byStatus: { submitted: 1, acknowledged: 1, in_progress: 1, transferred: 1, resolved: 1, closed: 1, rejected: 0, duplicate: 0 },
    });
  });

  it('when a user outside the scope asks the counts, then the reports it cannot see are not counted', async () => {
    for (const email of ['mairie.athis@demo.gup', 'oph@demo.gup']) {
      const res = await api(`/api/reports/counts?bbox=${box}`, { cookie: await login(email) });
      expect(res.status, email).toBe(200);
      expect(res.body.total, email).toBe(0);
    }
    const juvisy = await api(`/api/reports/counts?bbox=${box}`, { cookie: await login('mairie.juvisy@demo.gup') });
    expect(juvisy.body).toMatchObject({ total: 6, open: 4, overdue: 2 });
  });

  it('when the sort or a count filter is unknown, then 400 naming the field', async () => {
    const sort = await api('/api/reports?sort=random', { cookie: officer });
    expect(sort.status).toBe(400);
    expect(sort.body.error.details[0].field).toBe('sort');
    const counts = await api('/api/reports/counts?limit=3', { cookie: officer });
    expect(counts.status).toBe(400);
  });
});
