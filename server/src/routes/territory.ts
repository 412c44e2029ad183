import type { TerritoryAnswer } from '../domain/api.js';
import { requireTerritory } from '../services/territory.js';
import type { AppContext } from '../http/context.js';
import { route } from '../http/route.js';

const ATTRIBUTION = 'Cadastre © DGFiP / Etalab (Licence Ouverte 2.0) · QPV © ANCT (Licence Ouverte) · Contours © IGN Admin Express (Licence Ouverte)';

/** Basemap from the environment: GUP_BASEMAP=none, or an XYZ raster URL template; default Plan IGN (Géoplateforme). */
export function basemap(env: NodeJS.ProcessEnv): { tiles: string[]; attribution: string; maxzoom: number } | null {
  const value = env.GUP_BASEMAP?.trim();
  if (value === 'none') return null;
  if (value) return { tiles: [value], attribution: env.GUP_BASEMAP_ATTRIBUTION ?? '', maxzoom: 19 };
  return {
    tiles: ['https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&TILEMATRIXSET=PM&FORMAT=image/png&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}'],
    attribution: '© IGN Plan IGN',
    maxzoom: 19,
  };
}

/** What the client needs to draw the territory: communes, organisations (legend), themes, categories, basemap. */
export function territoryRoutes(ctx: AppContext) {
  return [route({
    method: 'GET', path: '/api/territory', access: 'signed-in',
    handle: async () => {
      const t = await requireTerritory(ctx.db);
      const answer: TerritoryAnswer = {
        name: t.name,
        publicDomainOwner: t.publicDomainOwner,
        delegationThreshold: t.delegationThreshold,
        bbox: t.bbox,
        communes: t.communes,
        organisations: t.organisations,
        themes: t.routing.themes.map(({ code, name, mode }) => ({ code, name, mode })),
        categories: t.categories,
        urgencyCriteria: t.urgencyCriteria,
        qpvs: t.qpvs,
        services: Object.values(t.routing.services).map(({ code, name, organisation }) => ({ code, name, organisation })),
        duplicates: { radiusMeters: t.duplicatesRadiusM, windowDays: t.duplicatesWindowDays },
        basemap: basemap(process.env),
        attribution: ATTRIBUTION,
      };
      return answer;
    },
  })];
}
