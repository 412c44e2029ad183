import { territory, type TerritorySource, type TerritoryInfo } from '../data/territory.js';
import { AppError } from '../http/errors.js';

/**
 * The territory configuration, or the one answer when none was imported yet: 503 `not_configured` (every use case and
 * route that needs the configuration goes through here).
 */
export async function requireTerritory(source: TerritorySource): Promise<TerritoryInfo> {
  const t = await territory(source);
  if (!t) throw new AppError(503, 'not_configured', 'Aucun territoire configuré : importez une configuration');
  return t;
}
