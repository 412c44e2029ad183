import type { Knex } from 'knex';
import type { SearchResult } from '../domain/api.js';

export type { SearchResult };

const ACCENTS_FROM = 'àâäáãåçéèêëíìîïñóòôöõúùûüýÿœæ';
const ACCENTS_TO = 'aaaaaaceeeeiiiinooooouuuuyyoa';
/** SQL: a text column lower-cased without accents, to compare with a normalised query. */
const plain = (col: string) => `translate(lower(${col}), '${ACCENTS_FROM}-''’', '${ACCENTS_TO}   ')`;
/** Lower case, no accents, hyphens and apostrophes as spaces: "Paray-Vieille-Poste" → "paray vieille poste". */
export const plainText = (s: string) =>
  s.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/œ/g, 'o').replace(/æ/g, 'a').replace(/[-'’]/g, ' ');

const GEO = (g: string) => `ST_XMin(${g}) AS w, ST_YMin(${g}) AS s, ST_XMax(${g}) AS e, ST_YMax(${g}) AS n,
  ST_X(ST_PointOnSurface(${g})) AS px, ST_Y(ST_PointOnSurface(${g})) AS py`;

interface GeoRow { w: number; s: number; e: number; n: number; px: number; py: number }
const geo = (r: GeoRow): Pick<SearchResult, 'bbox' | 'point'> => ({ bbox: [r.w, r.s, r.e, r.n], point: [r.px, r.py] });

/** Parcels by exact IDU. */
export async function parcelsById(knex: Knex, idu: string): Promise<SearchResult[]> {
  const { rows } = await knex.raw(
    `SELECT p.idu, p.section, p.number, c.name AS commune, ${GEO('p.geom')} FROM parcels p LEFT JOIN communes c ON c.insee = p.commune_insee WHERE p.idu = ?`,
    [idu],
  );
  return rows.map((r: any) => ({ type: 'parcel', id: r.idu, label: `${r.section.replace(/^0/, '')} ${Number(r.number)}`, sublabel: `Parcelle ${r.idu} — ${r.commune ?? ''}`, ...geo(r) }));
}

/** Parcels by section and number, optionally within communes whose name matches. */
export async function parcelsByReference(knex: Knex, section: string, number: string, communeText: string | null, limit: number): Promise<SearchResult[]> {
  const { rows } = await knex.raw(
    `SELECT p.idu, p.section, p.number, c.name AS commune, ${GEO('p.geom')}
     FROM parcels p JOIN communes c ON c.insee = p.commune_insee
     WHERE p.section = ? AND p.number = ? AND (?::text IS NULL OR ${plain('c.name')} LIKE '%' || ? || '%')
     ORDER BY c.name, p.prefix LIMIT ?`,
    [section, number, communeText, communeText, limit],
  );
  return rows.map((r: any) => ({ type: 'parcel', id: r.idu, label: `${r.section.replace(/^0/, '')} ${Number(r.number)}`, sublabel: `Parcelle ${r.idu} — ${r.commune}`, ...geo(r) }));
}

export async function communesByName(knex: Knex, text: string, limit: number): Promise<SearchResult[]> {
  const { rows } = await knex.raw(
    `SELECT insee, name, in_territory, ${GEO('geom')} FROM communes
     WHERE geom IS NOT NULL AND (${plain('name')} LIKE '%' || ? || '%' OR insee = ?)
     ORDER BY in_territory DESC, (${plain('name')} LIKE ? || '%') DESC, name LIMIT ?`,
    [text, text, text, limit],
  );
  return rows.map((r: any) => ({ type: 'commune', id: r.insee, label: r.name, sublabel: `Commune ${r.insee}${r.in_territory ? '' : ' (hors territoire)'}`, ...geo(r) }));
}

export async function qpvByCodeOrName(knex: Knex, text: string, limit: number): Promise<SearchResult[]> {
  const { rows } = await knex.raw(
    `SELECT code, name, communes, ${GEO('geom')} FROM qpv
     WHERE lower(code) = ? OR ${plain('name')} LIKE '%' || ? || '%'
     ORDER BY name LIMIT ?`,
    [text, text, limit],
  );
  return rows.map((r: any) => ({ type: 'qpv', id: r.code, label: r.name, sublabel: `QPV ${r.code}${r.communes ? ` — ${r.communes}` : ''}`, ...geo(r) }));
}
