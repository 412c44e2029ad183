import { SPOT_AT } from '../../server/src/data/lookup.js';

export interface SpotSql {
  /** The SQL text of the lookup's statement, with $n placeholders. */
  text: string;
  /** Its parameters for a point, in placeholder order. */
  values(lon: number, lat: number): unknown[];
}

/**
 * The exact SQL that one lookup needs: SPOT_AT in server/src/data/lookup.ts, the statement `spotAt` sends for a lone
 * point (a named prepared statement on PostgreSQL through hotQuery; concurrent lookups share SPOTS_AT, the same
 * subqueries for several points). So the raw baseline runs the very statement of the API, whatever it becomes.
 */
export async function spotSql(): Promise<SpotSql> {
  return { text: SPOT_AT.text, values: (lon, lat) => [lon, lat] };
}
