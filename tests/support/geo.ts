import { testContext } from './context.js';

/** A point surely inside a parcel (PostGIS point on surface), as [lon, lat]. */
export async function pointIn(idu: string): Promise<[number, number]> {
  const { db } = await testContext();
  const { rows } = await db.knex.raw('SELECT ST_X(ST_PointOnSurface(geom)) AS x, ST_Y(ST_PointOnSurface(geom)) AS y FROM parcels WHERE idu = ?', [idu]);
  if (!rows[0]) throw new Error(`no parcel ${idu} in the test database`);
  return [Number(rows[0].x), Number(rows[0].y)];
}

/** Demo parcels used across tests, one per kind of owner (from the shipped synthetic owners file). */
export const DEMO = {
  agglomeration: '91027000AB0427',
  communeAthisInQpv: '910270000E0364', // commune P right + OPH R right (building lease), Clos Nollet QPV
  communeJuvisy: '91326000AB0191',
  landlordEshInNoyerRenard: '91027000AC0224',
  landlordOph: '910270000E0363',
  jointEptAthis: '91027000AC0208', // EPT and Athis-Mons, two P rights, Noyer Renard QPV
  privateCompany: '910270000A0020', // SCI DU PLATEAU (FICTIF)
  coownership: '910270000Y0963',
  departement: '910270000A0072', // Département de l'Essonne: no configured service
  state: '910270000O0031',
  naturalPersonInNoyerRenard: '91027000AC0049', // absent from the owners file
  /** A street inside Noyer Renard: no parcel within ~5 m. */
  publicDomainNoyerRenard: [2.3607182596843446, 48.70562509245256] as [number, number],
  /** Savigny-sur-Orge: a neighbouring commune outside the territory. */
  outsideTerritory: [2.349510427631579, 48.683605] as [number, number],
} as const;

/** A square polygon of half-side `d` degrees around a point (GeoJSON geometry), e.g. a small sub-sector. */
export function squareAround([lon, lat]: [number, number], d: number): { type: 'Polygon'; coordinates: number[][][] } {
  return { type: 'Polygon', coordinates: [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]] };
}
