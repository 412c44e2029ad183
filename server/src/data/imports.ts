import type { Knex } from 'knex';
import type { OrganisationRef } from '../domain/owners.js';

/**
 * The import command's writes (`server/src/import`): each function runs inside the file's transaction, binds its
 * values (one JSON array parameter per batch) and changes only rows that differ, so a re-import changes nothing.
 */

type Trx = Knex.Transaction;
type Row = Record<string, unknown>;

/** SQL expression turning a GeoJSON text parameter into a valid MultiPolygon in EPSG:4326. */
const MULTIPOLYGON_FROM_GEOJSON = (expr: string) =>
  `ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(${expr}), 4326)), 3))`;

/** What an upsert did, row by row (`RETURNING (xmax = 0) AS inserted`: only inserted or changed rows come back). */
export type UpsertedRows = { inserted: boolean }[];

export function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

export interface QpvRow { code: string; name: string; communes: string | null; list: string | null; geometry: string }

/** Upserts QPV contours by code (geometry as GeoJSON text). */
export async function upsertQpv(trx: Trx, rows: QpvRow[]): Promise<UpsertedRows> {
  const res = await trx.raw(
    `INSERT INTO qpv AS q (code, name, communes, list, geom)
     SELECT r->>'code', r->>'name', r->>'communes', r->>'list', ${MULTIPOLYGON_FROM_GEOJSON(`r->>'geometry'`)}
     FROM jsonb_array_elements(?::jsonb) r
     ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, communes = EXCLUDED.communes, list = EXCLUDED.list, geom = EXCLUDED.geom
     WHERE q.name IS DISTINCT FROM EXCLUDED.name OR q.communes IS DISTINCT FROM EXCLUDED.communes
        OR q.list IS DISTINCT FROM EXCLUDED.list OR q.geom IS DISTINCT FROM EXCLUDED.geom
     RETURNING (xmax = 0) AS inserted`,
    [JSON.stringify(rows)],
  );
  return res.rows;
}

export interface CommuneRow { insee: string; name: string; siren: string | null; departement: string; population: number | null; geometry: string }

/** Upserts commune outlines by INSEE code (a SIREN absent from the file keeps the stored one). */
export async function upsertCommuneOutlines(trx: Trx, rows: CommuneRow[]): Promise<UpsertedRows> {
  const res = await trx.raw(
    `INSERT INTO communes AS c (insee, name, siren, departement, population, geom)
     SELECT r->>'insee', r->>'name', r->>'siren', r->>'departement', (r->>'population')::integer, ${MULTIPOLYGON_FROM_GEOJSON(`r->>'geometry'`)}
     FROM jsonb_array_elements(?::jsonb) r
     ON CONFLICT (insee) DO UPDATE SET name = EXCLUDED.name, siren = COALESCE(EXCLUDED.siren, c.siren),
       departement = EXCLUDED.departement, population = EXCLUDED.population, geom = EXCLUDED.geom
     WHERE c.name IS DISTINCT FROM EXCLUDED.name OR c.siren IS DISTINCT FROM COALESCE(EXCLUDED.siren, c.siren)
        OR c.departement IS DISTINCT FROM EXCLUDED.departement OR c.population IS DISTINCT FROM EXCLUDED.population
        OR c.geom IS DISTINCT FROM EXCLUDED.geom
     RETURNING (xmax = 0) AS inserted`,
    [JSON.stringify(rows)],
  );
  return res.rows;
}

export interface ParcelRow {
  idu: string;
  insee: string;
  prefix: string;
  section: string;
  number: string;
  area: number | null;
  updated: string | null;
  geometry: unknown;
}

/**
 * Makes the parcels of the rows' communes equal to the rows: upserted by IDU; a parcel whose geometry or area
 * changed keeps its previous state in `parcel_history` (`updated`); parcels of those communes absent from the rows
 * are moved there (`removed`).
 */
export async function replaceCommunesParcels(trx: Trx, rows: ParcelRow[], vintage: string | null): Promise<{ upserted: UpsertedRows; removed: number }> {
  await trx.raw('DROP TABLE IF EXISTS import_parcels'); // a nested import (savepoint) may still hold the previous one
  await trx.raw(`CREATE TEMP TABLE import_parcels (
    idu varchar(14) PRIMARY KEY, commune_insee varchar(5), prefix varchar(3), section varchar(2), number varchar(4),
    official_area_m2 integer, source_updated date, geom geometry(MultiPolygon,4326)) ON COMMIT DROP`);
  for (const batch of chunks(rows, 500)) {
    await trx.raw(
      `INSERT INTO import_parcels
       SELECT r->>'idu', r->>'insee', r->>'prefix', r->>'section', r->>'number', (r->>'area')::integer, (r->>'updated')::date,
              ${MULTIPOLYGON_FROM_GEOJSON(`r->>'geometry'`)}
       FROM jsonb_array_elements(?::jsonb) r
       ON CONFLICT (idu) DO NOTHING`,
      [JSON.stringify(batch.map((r) => ({ ...r, geometry: JSON.stringify(r.geometry) })))],
    );
  }
  await trx.raw(
    `INSERT INTO parcel_history (idu, official_area_m2, geom, source_vintage, change)
     SELECT p.idu, p.official_area_m2, p.geom, p.source_vintage, 'updated'
     FROM parcels p JOIN import_parcels i USING (idu) WHERE p.geom IS DISTINCT FROM i.geom OR p.official_area_m2 IS DISTINCT FROM i.official_area_m2`,
  );
  const removed = await trx.raw(
    `WITH gone AS (
       DELETE FROM parcels p
       WHERE p.commune_insee IN (SELECT DISTINCT commune_insee FROM import_parcels)
         AND NOT EXISTS (SELECT 1 FROM import_parcels i WHERE i.idu = p.idu)
       RETURNING p.*)
     INSERT INTO parcel_history (idu, official_area_m2, geom, source_vintage, change)
     SELECT idu, official_area_m2, geom, source_vintage, 'removed' FROM gone
     RETURNING 1`,
  );
  const upserted = await trx.raw(
    `INSERT INTO parcels AS p (idu, commune_insee, prefix, section, number, official_area_m2, geom, source_vintage, source_updated, updated_at)
     SELECT idu, commune_insee, prefix, section, number, official_area_m2, geom, ?, source_updated, now() FROM import_parcels
     ON CONFLICT (idu) DO UPDATE SET
       official_area_m2 = EXCLUDED.official_area_m2, geom = EXCLUDED.geom, source_vintage = EXCLUDED.source_vintage,
       source_updated = EXCLUDED.source_updated, updated_at = now()
     WHERE p.geom IS DISTINCT FROM EXCLUDED.geom OR p.official_area_m2 IS DISTINCT FROM EXCLUDED.official_area_m2
        OR p.source_updated IS DISTINCT FROM EXCLUDED.source_updated
     RETURNING (xmax = 0) AS inserted`,
    [vintage],
  );
  return { upserted: upserted.rows, removed: removed.rows.length };
}

/** The configured organisations, as owner resolution needs them. */
export async function organisationRefs(trx: Trx): Promise<OrganisationRef[]> {
  return (await trx('organisations').select('code', 'kind', 'siren')) as OrganisationRef[];
}

export interface StoredOwner {
  id: number;
  siren: string | null;
  group_code: string | null;
  kind: string;
  organisation_code: string | null;
  manual_organisation_code: string | null;
}

/** Every owner with what its resolution depends on. */
export async function ownersToResolve(trx: Trx): Promise<StoredOwner[]> {
  return (await trx('owners').select('id', 'siren', 'group_code', 'kind', 'organisation_code', 'manual_organisation_code')) as StoredOwner[];
}

export async function setOwnerResolution(trx: Trx, id: number, kind: string, organisationCode: string | null): Promise<void> {
  await trx('owners').where({ id }).update({ kind, organisation_code: organisationCode, updated_at: trx.fn.now() });
}

export interface OwnerRow {
  ownerKey: string;
  siren: string | null;
  majic: string | null;
  group: string | null;
  legalForm: string | null;
  legalFormShort: string | null;
  name: string;
  kind: string;
  org: string | null;
}

/** Upserts owners by key (SIREN or MAJIC number); returns how many were inserted or changed. Kind and organisation are set on insert only. */
export async function upsertOwners(trx: Trx, owners: OwnerRow[]): Promise<number> {
  let changed = 0;
  for (const batch of chunks(owners, 500)) {
    const res = await trx.raw(
      `INSERT INTO owners AS o (owner_key, siren, majic, group_code, legal_form, legal_form_short, name, kind, organisation_code)
       SELECT r->>'ownerKey', r->>'siren', r->>'majic', r->>'group', r->>'legalForm', r->>'legalFormShort', r->>'name', r->>'kind', r->>'org'
       FROM jsonb_array_elements(?::jsonb) r
       ON CONFLICT (owner_key) DO UPDATE SET siren = EXCLUDED.siren, majic = EXCLUDED.majic, group_code = EXCLUDED.group_code,
         legal_form = EXCLUDED.legal_form, legal_form_short = EXCLUDED.legal_form_short, name = EXCLUDED.name, updated_at = now()
       WHERE (o.siren, o.majic, o.group_code, o.legal_form, o.legal_form_short, o.name)
             IS DISTINCT FROM (EXCLUDED.siren, EXCLUDED.majic, EXCLUDED.group_code, EXCLUDED.legal_form, EXCLUDED.legal_form_short, EXCLUDED.name)
       RETURNING 1`,
      [JSON.stringify(batch)],
    );
    changed += res.rows.length;
  }
  return changed;
}

export interface RightKey { idu: string; ownerKey: string; rightCode: string }

/** Makes the rights of the given communes equal to the rows (owners already stored); counts removed and inserted rights. */
export async function replaceCommunesRights(trx: Trx, rights: RightKey[], communes: string[]): Promise<{ removed: number; inserted: number }> {
  await trx.raw('DROP TABLE IF EXISTS import_rights');
  await trx.raw(`CREATE TEMP TABLE import_rights (idu varchar(14), owner_key text, right_code varchar(2)) ON COMMIT DROP`);
  for (const batch of chunks(rights, 1000)) {
    await trx.raw(
      `INSERT INTO import_rights SELECT r->>'idu', r->>'ownerKey', r->>'rightCode' FROM jsonb_array_elements(?::jsonb) r`,
      [JSON.stringify(batch.map(({ idu, ownerKey, rightCode }) => ({ idu, ownerKey, rightCode })))],
    );
  }
  const removed = await trx.raw(
    `DELETE FROM parcel_rights pr
     WHERE substr(pr.idu, 1, 5) IN (SELECT jsonb_array_elements_text(?::jsonb))
       AND NOT EXISTS (SELECT 1 FROM import_rights i JOIN owners o ON o.owner_key = i.owner_key
                       WHERE i.idu = pr.idu AND o.id = pr.owner_id AND i.right_code = pr.right_code)
     RETURNING 1`,
    [JSON.stringify(communes)],
  );
  const inserted = await trx.raw(
    `INSERT INTO parcel_rights (idu, owner_id, right_code)
     SELECT DISTINCT i.idu, o.id, i.right_code FROM import_rights i JOIN owners o ON o.owner_key = i.owner_key
     ON CONFLICT DO NOTHING
     RETURNING 1`,
  );
  return { removed: removed.rows.length, inserted: inserted.rows.length };
}

/** Comparable form of a column value: JSON text parsed, object keys sorted (jsonb reorders them). */
function canonical(v: unknown): string {
  const parsed = typeof v === 'string' && /^[[{]/.test(v) ? (JSON.parse(v) as unknown) : v;
  const sort = (x: unknown): unknown =>
    Array.isArray(x) ? x.map(sort)
      : x && typeof x === 'object' && !(x instanceof Date) ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, sort((x as Row)[k])]))
        : x ?? null;
  return JSON.stringify(sort(parsed));
}

/** Upserts configuration rows by key, updating only rows that differ; returns how many were inserted or updated. */
export async function upsertConfigRows(trx: Trx, table: string, key: string[], rows: Row[]): Promise<{ inserted: number; updated: number }> {
  let inserted = 0;
  let updated = 0;
  for (const row of rows) {
    const where = Object.fromEntries(key.map((k) => [k, row[k]]));
    const existing = (await trx(table).where(where).first()) as Row | undefined;
    if (!existing) {
      await trx(table).insert(row);
      inserted++;
    } else if (Object.entries(row).some(([k, v]) => canonical(existing[k]) !== canonical(v))) {
      await trx(table).where(where).update(row);
      updated++;
    }
  }
  return { inserted, updated };
}

/** Communes no longer in the configuration leave the territory (and their sector). */
export async function leaveTerritoryExcept(trx: Trx, inTerritory: string[]): Promise<void> {
  await trx('communes').whereNotIn('insee', inTerritory).andWhere({ in_territory: true }).update({ in_territory: false, sector_code: null });
}

/** Replaces the managers table (organisation × theme → service) as a whole. */
export async function replaceManagers(trx: Trx, rows: { organisation_code: string; theme_code: string; service_code: string }[]): Promise<void> {
  await trx('managers').delete();
  if (rows.length) await trx('managers').insert(rows);
}

/** Replaces the communes' private-land services as a whole. */
export async function replacePrivateLandServices(trx: Trx, rows: { commune_insee: string; service_code: string }[]): Promise<void> {
  await trx('private_land_services').delete();
  if (rows.length) await trx('private_land_services').insert(rows);
}

/** Logs one imported file (who imported what, with its SHA-256): an audit trail, not data. */
export async function logImport(trx: Trx, row: { kind: string; fileName: string; sha256: string; summary: unknown }): Promise<void> {
  await trx('imports').insert({ kind: row.kind, file_name: row.fileName, sha256: row.sha256, summary: JSON.stringify(row.summary) });
}
