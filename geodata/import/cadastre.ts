import type { Knex } from 'knex';
import { IDU_PATTERN } from '../../server/src/domain/idu.js';
import { ImportError } from './errors.js';
import { featuresOf, MULTIPOLYGON_FROM_GEOJSON, requirePolygon, type Feature } from './geojson.js';
import { parseJson, type InputFile } from './read.js';
import { chunks, upsertCounts, type FileSummary } from './summary.js';

interface ParcelRow {
  idu: string;
  insee: string;
  prefix: string;
  section: string;
  number: string;
  area: number | null;
  updated: string | null;
  geometry: Feature['geometry'];
}

function str(v: unknown): string {
  return v === null || v === undefined ? '' : String(v).trim();
}

/** Reads an Etalab `cadastre-{insee}-parcelles.json` feature into a row, or throws naming the feature. */
function toRow(fileName: string, f: Feature, i: number): ParcelRow {
  requirePolygon(fileName, f, i);
  const p = f.properties ?? {};
  const idu = str(p.id ?? f.id).toUpperCase();
  if (!IDU_PATTERN.test(idu)) throw new ImportError(fileName, `entité n° ${i + 1}`, `identifiant de parcelle invalide « ${idu} » (14 caractères attendus)`);
  const insee = str(p.commune) || idu.slice(0, 5);
  if (insee !== idu.slice(0, 5)) throw new ImportError(fileName, `entité n° ${i + 1}`, `commune « ${insee} » incohérente avec l'identifiant ${idu}`);
  const area = p.contenance === undefined || p.contenance === null || p.contenance === '' ? null : Number(p.contenance);
  if (area !== null && (!Number.isFinite(area) || area < 0)) throw new ImportError(fileName, `entité n° ${i + 1}`, `contenance invalide « ${String(p.contenance)} »`);
  const updated = str(p.updated);
  return {
    idu,
    insee,
    prefix: idu.slice(5, 8),
    section: idu.slice(8, 10),
    number: idu.slice(10, 14),
    area: area === null ? null : Math.round(area),
    updated: /^\d{4}-\d{2}-\d{2}$/.test(updated) ? updated : null,
    geometry: f.geometry,
  };
}

/**
 * Imports an Etalab cadastre parcels file. Parcels are upserted by IDU; a parcel whose geometry or area changed
 * keeps its previous state in `parcel_history`; parcels of the file's communes that the file no longer lists are
 * moved to the history as removed. Re-importing the same file changes nothing.
 */
export async function importCadastre(trx: Knex.Transaction, file: InputFile): Promise<FileSummary> {
  const features = featuresOf(file.name, parseJson(file));
  const rows = features.map((f, i) => toRow(file.name, f, i));
  if (rows.length === 0) throw new ImportError(file.name, null, 'aucune parcelle');
  const vintage = rows.reduce<string | null>((max, r) => (r.updated && (!max || r.updated > max) ? r.updated : max), null);

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
  return {
    file: file.name,
    kind: 'cadastre',
    read: rows.length,
    ...upsertCounts(upserted.rows, rows.length),
    removed: removed.rows.length,
    note: `communes ${[...new Set(rows.map((r) => r.insee))].join(', ')}; millésime ${vintage ?? 'inconnu'}`,
  };
}
