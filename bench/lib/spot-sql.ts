import knexFactory, { type Knex } from 'knex';
import { spotAt } from '../../server/src/data/lookup.js';

export interface SpotSql {
  /** The SQL text `spotAt` sends, with $n placeholders. */
  text: string;
  /** Its parameters for a point, in placeholder order. */
  values(lon: number, lat: number): unknown[];
  /** Whether the app sends it as a named (prepared) statement. */
  prepared: boolean;
}

/**
 * The exact SQL that the lookup needs (`spotAt` in server/src/data/lookup.ts), captured by calling `spotAt` on a knex
 * stand-in that records its query, then compiled by knex's pg client into the native `$1, $2` form the pg driver
 * gets. So the raw baseline runs the very statement of the API, whatever it becomes.
 */
export async function spotSql(): Promise<SpotSql> {
  const LON = 1.234567;
  const LAT = 45.678901;
  let captured: { sql: string; bindings: unknown[]; options?: { name?: string } } | undefined;
  const result = { rows: [{ parcel: null, commune: null, qpv: null, subsector: null, rights: null }] };
  const recorder = {
    raw: (sql: string, bindings: unknown[]) => {
      captured = { sql, bindings };
      const query = {
        options: (o: { name?: string }) => { captured!.options = o; return query; },
        then: (resolve: (v: unknown) => unknown, reject: (e: unknown) => unknown) => Promise.resolve(result).then(resolve, reject),
      };
      return query;
    },
  } as unknown as Knex;
  await spotAt(recorder, LON, LAT);
  if (!captured) throw new Error('spotAt n\'a envoyé aucune requête');
  const compiler = knexFactory({ client: 'pg' });
  try {
    const native = compiler.raw(captured.sql, captured.bindings as Knex.RawBinding[]).toSQL().toNative();
    const order = native.bindings.map((b) => (b === LON ? 'lon' : b === LAT ? 'lat' : b));
    return { text: native.sql, values: (lon, lat) => order.map((b) => (b === 'lon' ? lon : b === 'lat' ? lat : b)), prepared: !!captured.options?.name };
  } finally {
    await compiler.destroy();
  }
}
