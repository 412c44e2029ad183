import type { Knex } from 'knex';
import { upsertCommuneOutlines, upsertQpv } from '../data/imports.js';
import { ImportError } from './errors.js';
import { featuresOf, requirePolygon, type Feature } from './geojson.js';
import { parseJson, type InputFile } from './read.js';
import { upsertCounts, type FileSummary } from './summary.js';

/** First non-empty property among candidate names (published files differ in their field names). */
function prop(f: Feature, names: string[]): string {
  const p = f.properties ?? {};
  for (const n of names) {
    const v = p[n];
    if (v !== undefined && v !== null && String(v).trim() !== '') return String(v).trim();
  }
  return '';
}

const QPV_CODE = ['code_qp', 'CODE_QP', 'code_quartier', 'CODE_QUARTIER', 'code'];
const QPV_NAME = ['nom_qp', 'NOM_QP', 'lib_qp', 'nom_quartier', 'NOM_QUARTIER', 'nom'];
const COMMUNE_CODE = ['code', 'insee', 'INSEE_COM', 'code_insee', 'codgeo'];
const COMMUNE_NAME = ['nom', 'NOM', 'NOM_COM', 'libelle', 'name'];

/** Whether a GeoJSON looks like QPV contours (features carry a QP/QN code). */
export function looksLikeQpv(features: Feature[]): boolean {
  return features.length > 0 && /^Q[PN]\d{6}$/.test(prop(features[0]!, QPV_CODE));
}

/** Whether a GeoJSON looks like commune outlines (features carry a 5-character INSEE code and a name). */
export function looksLikeCommunes(features: Feature[]): boolean {
  const f = features[0];
  return !!f && /^[0-9][0-9AB][0-9]{3}$/.test(prop(f, COMMUNE_CODE)) && prop(f, COMMUNE_NAME) !== '';
}

/** Imports QPV contours (GeoJSON, `code_qp`/`nom_qp`), upserted by code. */
export async function importQpv(trx: Knex.Transaction, file: InputFile, features = featuresOf(file.name, parseJson(file))): Promise<FileSummary> {
  const rows = features.map((f, i) => {
    requirePolygon(file.name, f, i);
    const code = prop(f, QPV_CODE);
    if (!/^Q[PN]\d{6}$/.test(code)) throw new ImportError(file.name, `entité n° ${i + 1}`, `code QPV invalide « ${code} » (ex. QP091028)`);
    const name = prop(f, QPV_NAME);
    if (!name) throw new ImportError(file.name, `entité n° ${i + 1}`, 'nom du QPV manquant');
    return { code, name, communes: prop(f, ['communes_qp', 'COMMUNE_QP', 'commune_qp']) || null, list: prop(f, ['liste']) || null, geometry: JSON.stringify(f.geometry) };
  });
  const upserted = await upsertQpv(trx, rows);
  return { file: file.name, kind: 'qpv', read: rows.length, ...upsertCounts(upserted, rows.length), removed: 0 };
}

/** Imports commune outlines (GeoJSON with INSEE `code` and `nom`), upserted by INSEE code. */
export async function importCommunes(trx: Knex.Transaction, file: InputFile, features = featuresOf(file.name, parseJson(file))): Promise<FileSummary> {
  const rows = features.map((f, i) => {
    requirePolygon(file.name, f, i);
    const insee = prop(f, COMMUNE_CODE);
    if (!/^[0-9][0-9AB][0-9]{3}$/.test(insee)) throw new ImportError(file.name, `entité n° ${i + 1}`, `code INSEE invalide « ${insee} »`);
    const name = prop(f, COMMUNE_NAME);
    if (!name) throw new ImportError(file.name, `entité n° ${i + 1}`, 'nom de commune manquant');
    const population = Number(prop(f, ['population']));
    return {
      insee,
      name,
      siren: /^\d{9}$/.test(prop(f, ['siren'])) ? prop(f, ['siren']) : null,
      departement: prop(f, ['departement', 'dep', 'INSEE_DEP']) || insee.slice(0, insee.startsWith('97') ? 3 : 2),
      population: Number.isInteger(population) && population > 0 ? population : null,
      geometry: JSON.stringify(f.geometry),
    };
  });
  const upserted = await upsertCommuneOutlines(trx, rows);
  return { file: file.name, kind: 'communes', read: rows.length, ...upsertCounts(upserted, rows.length), removed: 0 };
}
