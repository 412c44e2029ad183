import type { Knex } from 'knex';
import { organisationRefs, ownersToResolve, replaceCommunesRights, setOwnerResolution, upsertOwners, type OwnerRow } from '../data/imports.js';
import { buildIdu, inseeFromDgfip } from '../domain/idu.js';
import { resolveOwner } from '../domain/owners.js';
import { ImportError } from './errors.js';
import type { InputFile } from './read.js';
import type { FileSummary } from './summary.js';

/** Columns of the DGFiP "fichier des parcelles des personnes morales", found by the start of their header. */
const COLUMNS = {
  departement: 'département',
  commune: 'code commune',
  prefix: 'préfixe',
  section: 'section',
  plan: 'n° plan',
  rightCode: 'code droit',
  majic: 'n° majic',
  siren: 'n° siren',
  group: 'groupe personne',
  legalFormShort: 'forme juridique abrégée',
  legalForm: 'forme juridique',
  name: 'dénomination',
} as const;
type Column = keyof typeof COLUMNS;

/** One row of the file: a right, with its owner as stored (the owner's kind and organisation are resolved later). */
export interface RightRow extends Omit<OwnerRow, 'kind' | 'org'> {
  line: number;
  idu: string;
  insee: string;
  rightCode: string;
}

/** Whether a file starts like a DGFiP owners file (header with "Code droit" and "Groupe personne"). */
export function looksLikeDgfipOwners(bytes: Buffer): boolean {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 4000)).toLowerCase();
  return head.includes(';') && head.includes('code droit') && head.includes('groupe personne');
}

function mapHeader(fileName: string, header: string[]): Record<Column, number> {
  const norm = header.map((h) => h.trim().toLowerCase());
  const found = {} as Record<Column, number>;
  // longest names first, so that "forme juridique abrégée" is not taken for "forme juridique"
  const entries = (Object.entries(COLUMNS) as [Column, string][]).sort((a, b) => b[1].length - a[1].length);
  const taken = new Set<number>();
  for (const [key, start] of entries) {
    const idx = norm.findIndex((h, i) => !taken.has(i) && h.startsWith(start));
    if (idx < 0) throw new ImportError(fileName, 'ligne 1', `colonne « ${start} » introuvable dans l'en-tête`);
    taken.add(idx);
    found[key] = idx;
  }
  return found;
}

/**
 * Parses the DGFiP file (`;`-separated, latin-1, one row per right). The IDU is rebuilt from unpadded section and
 * plan number. Throws an ImportError naming the line of the first malformed row.
 */
export function parseDgfipOwners(fileName: string, bytes: Buffer): RightRow[] {
  const text = new TextDecoder('latin1').decode(bytes);
  const lines = text.split(/\r?\n/);
  const col = mapHeader(fileName, (lines[0] ?? '').split(';'));
  const rows: RightRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    const cells = raw.split(';');
    const get = (c: Column) => (cells[col[c]] ?? '').trim();
    const where = `ligne ${i + 1}`;
    if (cells.length < Object.keys(COLUMNS).length) throw new ImportError(fileName, where, `ligne incomplète (${cells.length} champs)`);
    const dep = get('departement');
    const com = get('commune');
    if (!/^[0-9][0-9AB]?[0-9]?$/.test(dep) || !/^\d{1,3}$/.test(com)) throw new ImportError(fileName, where, `département « ${dep} » ou commune « ${com} » invalide`);
    const section = get('section').toUpperCase();
    const plan = get('plan');
    const prefix = get('prefix');
    if (!/^[0-9A-Z]{1,2}$/.test(section)) throw new ImportError(fileName, where, `section invalide « ${section} »`);
    if (!/^\d{1,4}$/.test(plan)) throw new ImportError(fileName, where, `numéro de plan invalide « ${plan} »`);
    if (!/^\d{0,3}$/.test(prefix)) throw new ImportError(fileName, where, `préfixe invalide « ${prefix} »`);
    const rightCode = get('rightCode').toUpperCase();
    if (!/^[A-Z0-9]{1,2}$/.test(rightCode)) throw new ImportError(fileName, where, `code droit invalide « ${rightCode} »`);
    const siren = get('siren');
    if (siren && !/^\d{9}$/.test(siren)) throw new ImportError(fileName, where, `SIREN invalide « ${siren} »`);
    const majic = get('majic');
    const name = get('name');
    if (!name) throw new ImportError(fileName, where, 'dénomination manquante');
    if (!siren && !majic) throw new ImportError(fileName, where, 'ni SIREN ni numéro MAJIC');
    const insee = inseeFromDgfip(dep, com);
    rows.push({
      line: i + 1,
      idu: buildIdu(insee, prefix, section, plan),
      insee,
      rightCode,
      ownerKey: siren || `${dep}:${majic}`,
      siren: siren || null,
      majic: majic || null,
      group: get('group') || null,
      legalForm: get('legalForm') || null,
      legalFormShort: get('legalFormShort') || null,
      name,
    });
  }
  if (rows.length === 0) throw new ImportError(fileName, null, 'aucune ligne de droit');
  return rows;
}

/** Recomputes every owner's kind and organisation from the configured organisations (after a config or owners import). */
export async function resolveAllOwners(trx: Knex.Transaction): Promise<number> {
  const orgs = await organisationRefs(trx);
  let changed = 0;
  for (const o of await ownersToResolve(trx)) {
    const manual = o.manual_organisation_code ? orgs.find((g) => g.code === o.manual_organisation_code) : undefined;
    const r = manual ? resolveOwner({ siren: manual.siren ?? '', groupCode: o.group_code }, [manual]) : resolveOwner({ siren: o.siren, groupCode: o.group_code }, orgs);
    if (r.kind !== o.kind || r.organisationCode !== o.organisation_code) {
      await setOwnerResolution(trx, o.id, r.kind, r.organisationCode);
      changed++;
    }
  }
  return changed;
}

/**
 * Imports the owners file: owners upserted by SIREN (or MAJIC number), and the rights of the file's communes made
 * equal to the file's (rights the file no longer lists are removed). Only `P` rights are ownership; that filter is
 * applied when reading ownership, so every right is kept here.
 */
export async function importDgfipOwners(trx: Knex.Transaction, file: InputFile): Promise<FileSummary> {
  const rows = parseDgfipOwners(file.name, file.bytes);
  const owners = new Map<string, RightRow>();
  for (const r of rows) if (!owners.has(r.ownerKey)) owners.set(r.ownerKey, r);
  const orgs = await organisationRefs(trx);
  const ownersChanged = await upsertOwners(trx, [...owners.values()].map((r) => {
    const resolved = resolveOwner({ siren: r.siren, groupCode: r.group }, orgs);
    return { ...r, kind: resolved.kind, org: resolved.organisationCode };
  }));
  await resolveAllOwners(trx);
  const communes = [...new Set(rows.map((r) => r.insee))];
  const { removed, inserted } = await replaceCommunesRights(trx, rows, communes);
  const distinctRights = new Set(rows.map((r) => `${r.idu}|${r.ownerKey}|${r.rightCode}`)).size;
  return {
    file: file.name,
    kind: 'owners',
    read: rows.length,
    inserted,
    updated: ownersChanged,
    unchanged: distinctRights - inserted,
    removed,
    note: `${owners.size} propriétaires, ${distinctRights} droits, communes ${communes.join(', ')}`,
  };
}
