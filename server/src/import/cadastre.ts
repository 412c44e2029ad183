import type { Knex } from 'knex';
import { replaceCommunesParcels, type ParcelRow } from '../data/imports.js';
import { IDU_PATTERN } from '../domain/idu.js';
import { ImportError } from './errors.js';
import { featuresOf, requirePolygon, type Feature } from './geojson.js';
import { parseJson, type InputFile } from './read.js';
import { upsertCounts, type FileSummary } from './summary.js';

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

  const { upserted, removed } = await replaceCommunesParcels(trx, rows, vintage);
  return {
    file: file.name,
    kind: 'cadastre',
    read: rows.length,
    ...upsertCounts(upserted, rows.length),
    removed,
    note: `communes ${[...new Set(rows.map((r) => r.insee))].join(', ')}; millésime ${vintage ?? 'inconnu'}`,
  };
}
