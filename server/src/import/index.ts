import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import { importCommunes, importQpv, looksLikeCommunes, looksLikeQpv } from './areas.js';
import { importCadastre } from './cadastre.js';
import { importConfig, looksLikeConfig } from './config.js';
import { ImportError } from './errors.js';
import { featuresOf } from './geojson.js';
import { importDgfipOwners, looksLikeDgfipOwners } from './owners.js';
import { logImport } from '../data/imports.js';
import { recomputeSubsectors } from '../services/subsectors.js';
import { parseJson, readInput, type InputFile } from './read.js';
import type { FileSummary } from './summary.js';

export { ImportError } from './errors.js';
export type { FileSummary } from './summary.js';

const DATA_EXTENSIONS = /\.(geo)?json(\.gz)?$|\.csv$/i;

export type FileKind = 'config' | 'communes' | 'qpv' | 'cadastre' | 'owners';
/** Import order: configuration first (owner resolution needs the organisations), owners last. */
const ORDER: FileKind[] = ['config', 'communes', 'qpv', 'cadastre', 'owners'];

interface Planned {
  file: InputFile;
  kind: FileKind;
  data?: unknown;
}

/** Recognises a file from its name and content; null when it is not something we import. */
export function detectKind(file: InputFile, explicit = false): { kind: FileKind; data?: unknown } | null {
  const name = file.name.toLowerCase();
  if (/^cadastre-[0-9ab]+-parcelles\.json(\.gz)?$/.test(name)) return { kind: 'cadastre' };
  // the only CSV we import: a file named explicitly is read as one, so that a wrong header is reported as such
  if (name.endsWith('.csv')) return explicit || looksLikeDgfipOwners(file.bytes) ? { kind: 'owners' } : null;
  if (!/\.(geo)?json$/.test(name.replace(/\.gz$/, ''))) return null;
  const data = parseJson(file);
  if (looksLikeConfig(data)) return { kind: 'config', data };
  if ((data as { type?: string })?.type !== 'FeatureCollection') return null;
  const features = featuresOf(file.name, data);
  if (looksLikeQpv(features)) return { kind: 'qpv', data };
  if (looksLikeCommunes(features)) return { kind: 'communes', data };
  return null;
}

async function expand(inputs: string[]): Promise<{ files: string[]; explicit: Set<string> }> {
  const files: string[] = [];
  const explicit = new Set<string>();
  const walk = async (p: string, isExplicit: boolean) => {
    const stat = await fs.stat(p).catch(() => null);
    if (!stat) throw new ImportError(p, null, 'fichier ou dossier introuvable');
    if (stat.isDirectory()) {
      for (const entry of (await fs.readdir(p)).sort()) await walk(path.join(p, entry), false);
    } else {
      files.push(p);
      if (isExplicit) explicit.add(p);
    }
  };
  for (const input of inputs) await walk(path.resolve(input), true);
  return { files, explicit };
}

export interface ImportOptions {
  /** Called with each file's summary as soon as it is committed. */
  onFile?: (summary: FileSummary) => void;
  /** Called for files of a folder that are not recognised (skipped). */
  onSkip?: (file: string) => void;
  /** Called before each file starts. */
  onStart?: (file: string, kind: FileKind) => void;
  /**
   * One transaction for all the files (the browser's upload): a file that fails undoes the files before it, so a new
   * cadastre never stays without the owners file sent with it (sub-sectors recomputed on half the data). Without it
   * (`npm run import`), one transaction per file.
   */
  allOrNothing?: boolean;
}

/**
 * Imports files or folders: each file in its own transaction (a malformed file writes nothing), in dependency
 * order. A file given explicitly that is not recognised is an error; unrecognised files inside a folder are skipped.
 */
export async function importPaths(knex: Knex, inputs: string[], opts: ImportOptions = {}): Promise<FileSummary[]> {
  const { files, explicit } = await expand(inputs);
  const planned: Planned[] = [];
  for (const p of files) {
    const file = await readInput(p);
    const detected = detectKind(file, explicit.has(p));
    if (!detected) {
      if (!explicit.has(p) && !DATA_EXTENSIONS.test(p)) continue; // code, READMEs… beside the data
      if (explicit.has(p)) throw new ImportError(file.name, null, 'format non reconnu (cadastre Etalab, QPV, communes, fichier DGFiP des personnes morales ou configuration du territoire attendus)');
      opts.onSkip?.(p);
      continue;
    }
    planned.push({ file, ...detected });
  }
  planned.sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
  const summaries: FileSummary[] = [];
  const step = async (trx: Knex.Transaction, item: Planned) => {
    opts.onStart?.(item.file.name, item.kind);
    const started = Date.now();
    const summary = await importOne(trx, item);
    summary.ms = Date.now() - started;
    summaries.push(summary);
    opts.onFile?.(summary);
  };
  if (opts.allOrNothing) {
    await knex.transaction(async (trx) => { for (const item of planned) await step(trx, item); });
  } else {
    for (const item of planned) await knex.transaction((trx) => step(trx, item));
  }
  return summaries;
}

/**
 * Imports a territory configuration given as parsed JSON (the administration's editor) inside the caller's transaction:
 * the same steps as a configuration file (validation, writes, sub-sectors recomputed, logged in `imports`).
 */
export async function importConfigObject(trx: Knex.Transaction, name: string, data: unknown): Promise<FileSummary> {
  const bytes = Buffer.from(JSON.stringify(data), 'utf8');
  const file: InputFile = { path: name, name, bytes, sha256: crypto.createHash('sha256').update(bytes).digest('hex') };
  return importOne(trx, { file, kind: 'config', data });
}

async function importOne(trx: Knex.Transaction, item: Planned): Promise<FileSummary> {
  const summary = await runImporter(trx, item);
  if (item.kind !== 'qpv' && item.kind !== 'communes') {
    // ownership or configuration changed: every sub-sector's shares are recomputed in the same transaction
    const changed = await recomputeSubsectors(trx);
    if (changed.length) summary.note = `${summary.note ? `${summary.note}; ` : ''}${changed.length} sous-secteur(s) recalculé(s)`;
  }
  await logImport(trx, { kind: item.kind, fileName: item.file.name, sha256: item.file.sha256, summary });
  return summary;
}

function runImporter(trx: Knex.Transaction, { file, kind, data }: Planned): Promise<FileSummary> {
  switch (kind) {
    case 'config': return importConfig(trx, file, data);
    case 'communes': return importCommunes(trx, file, featuresOf(file.name, data));
    case 'qpv': return importQpv(trx, file, featuresOf(file.name, data));
    case 'cadastre': return importCadastre(trx, file);
    case 'owners': return importDgfipOwners(trx, file);
  }
}
