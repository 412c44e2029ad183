import { SPOT_AT } from '../../server/src/data/lookup.js';

export interface SpotSql {
  /** The SQL text `spotAt` sends, with $n placeholders. */
  text: string;
  /** Its parameters for a point, in placeholder order. */
  values(lon: number, lat: number): unknown[];
  /** Whether the app sends it as a named (prepared) statement. */
  prepared: boolean;
}

/**
 * The exact SQL that the lookup needs: the statement `spotAt` sends (SPOT_AT in server/src/data/lookup.ts, a named
 * prepared statement on PostgreSQL through hotQuery). So the raw baseline runs the very statement of the API,
 * whatever it becomes.
 */
export async function spotSql(): Promise<SpotSql> {
  return { text: SPOT_AT.text, values: (lon, lat) => [lon, lat], prepared: true };
}
