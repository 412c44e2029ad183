import type { Knex } from 'knex';
import { hotQuery, type HotStatement } from './db.js';
import type { ParcelOwnerRow } from './parcels.js';

export interface SpotRow {
  parcel: { idu: string; commune_insee: string; prefix: string; section: string; number: string; official_area_m2: number | null; area_m2: number; overlapping: string[] } | null;
  commune: { insee: string; name: string; in_territory: boolean; sector_code: string | null } | null;
  qpv: { code: string; name: string } | null;
  subsector: { id: number; name: string; outcome: 'delegated' | 'shared'; delegate_organisation_code: string | null; threshold: number; borderline: boolean; shares: unknown } | null;
  rights: (ParcelOwnerRow & { ownerId: number })[] | null;
}

/**
 * Everything under a point in one round trip: the parcel (smallest when cadastre slivers overlap), its rights and
 * owners, the commune (the parcel's, else the outline's), the QPV and the active sub-sector. Uses the GiST indexes.
 * Parameters: $1 longitude, $2 latitude (WGS84). Exported for the benchmark's raw baseline (bench/lookup.ts).
 */
export const SPOT_AT: HotStatement = {
  name: 'gup_spot_at',
  text: `WITH pt AS (SELECT ST_SetSRID(ST_MakePoint($1, $2), 4326) AS g),
     hits AS (SELECT p.idu, p.commune_insee, p.prefix, p.section, p.number, p.official_area_m2, p.geom
              FROM parcels p, pt WHERE ST_Intersects(p.geom, pt.g)),
     par AS (SELECT h.*, ST_Area(h.geom::geography) AS area_m2 FROM hits h ORDER BY ST_Area(h.geom) LIMIT 1)
     SELECT
       (SELECT json_build_object('idu', idu, 'commune_insee', commune_insee, 'prefix', prefix, 'section', section, 'number', number,
               'official_area_m2', official_area_m2, 'area_m2', area_m2, 'overlapping', (SELECT json_agg(idu) FROM hits WHERE hits.idu <> par.idu))
        FROM par) AS parcel,
       (SELECT json_build_object('insee', c.insee, 'name', c.name, 'in_territory', c.in_territory, 'sector_code', c.sector_code)
        FROM communes c WHERE c.insee = COALESCE((SELECT commune_insee FROM par),
          (SELECT c2.insee FROM communes c2, pt WHERE ST_Intersects(c2.geom, pt.g) ORDER BY c2.in_territory DESC LIMIT 1))) AS commune,
       (SELECT json_build_object('code', q.code, 'name', q.name) FROM qpv q, pt WHERE ST_Intersects(q.geom, pt.g) LIMIT 1) AS qpv,
       (SELECT json_build_object('id', s.id, 'name', s.name, 'outcome', s.outcome, 'delegate_organisation_code', s.delegate_organisation_code,
               'threshold', s.threshold, 'borderline', s.borderline, 'shares', s.shares)
        FROM subsectors s, pt WHERE s.status = 'active' AND ST_Intersects(s.geom, pt.g) ORDER BY s.updated_at DESC LIMIT 1) AS subsector,
       (SELECT json_agg(json_build_object('ownerId', o.id, 'id', o.id, 'name', o.name, 'siren', o.siren, 'kind', o.kind, 'legalForm', o.legal_form,
               'organisationCode', o.organisation_code, 'organisationName', g.name, 'organisationOrder', g.sort_order, 'rightCode', pr.right_code)
               ORDER BY g.sort_order NULLS LAST, o.name, pr.right_code)
        FROM parcel_rights pr JOIN owners o ON o.id = pr.owner_id LEFT JOIN organisations g ON g.code = o.organisation_code
        WHERE pr.idu = (SELECT idu FROM par)) AS rights`,
};

/** A json column: pg and PGlite parse them; be tolerant of text. */
function parse<T>(v: unknown): T {
  return typeof v === 'string' ? (JSON.parse(v) as T) : (v as T);
}

/** What is under a point (SPOT_AT), through hotQuery: a prepared statement on PostgreSQL, planning cost more than running (bench/lookup.ts). */
export async function spotAt(knex: Knex, lon: number, lat: number): Promise<SpotRow> {
  const rows = await hotQuery<Record<string, unknown>>(knex, SPOT_AT, [lon, lat]);
  const row = rows[0]!;
  return {
    parcel: parse(row.parcel),
    commune: parse(row.commune),
    qpv: parse(row.qpv),
    subsector: parse(row.subsector),
    rights: parse(row.rights),
  };
}
