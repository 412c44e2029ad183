import type { Knex } from 'knex';
import { territory, type TerritoryInfo } from '../data/territory.js';
import { AppError } from '../http/errors.js';

/**
 * The territory configuration, or the one answer when none was imported yet: 503 `not_configured` (every use case and
 * route that needs the configuration goes through here).
 */
export async function requireTerritory(knex: Knex | Knex.Transaction): Promise<TerritoryInfo> {
  const t = await territory(knex as Knex);
  if (!t) throw new AppError(503, 'not_configured', 'Aucun territoire configuré : importez une configuration');
  return t;
}
