import { testContext } from './context.js';
import { api } from './http.js';

export const reportBody = (lon: number, lat: number, extra: Record<string, unknown> = {}) => ({
  category: 'depot_sauvage', description: 'Encombrants déposés au pied de l\'immeuble', lon, lat, ...extra,
});

export async function postReport(cookie: string, body: unknown, headers: Record<string, string> = {}) {
  return api('/api/reports', { body, cookie, headers });
}

export async function countReports(): Promise<number> {
  const { db } = await testContext();
  return Number((await db.knex('reports').count({ n: '*' }))[0]!.n);
}

/** Rows of the tables a report submission writes, to prove that a refused one wrote nothing. */
export async function reportTablesCount(): Promise<Record<string, number>> {
  const { db } = await testContext();
  const out: Record<string, number> = {};
  for (const t of ['reports', 'report_events', 'report_followers', 'report_photos', 'outbox']) out[t] = Number((await db.knex(t).count({ n: '*' }))[0]!.n);
  return out;
}
