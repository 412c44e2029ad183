import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { beforeAll, describe, expect, it } from 'vitest';
import { ImportError, importPaths } from '../../server/src/import/index.js';
import { parseDgfipOwners } from '../../server/src/import/owners.js';
import { paths } from '../../server/src/config.js';
import { testContext } from '../support/context.js';

let knex: Knex;
let tmp: string;
beforeAll(async () => {
  knex = (await testContext()).db.knex;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-import-'));
});

const ROLLBACK = new Error('rollback');
/** Runs fn in a transaction that is always rolled back, so the shared demo database stays as it was. */
async function inRolledBackTransaction(fn: (trx: Knex.Transaction) => Promise<void>): Promise<void> {
  await knex.transaction(async (trx) => {
    await fn(trx);
    throw ROLLBACK;
  }).catch((err) => {
    if (err !== ROLLBACK) throw err;
  });
}

const count = async (db: Knex, sql: string, bindings: Knex.RawBinding[] = []) => Number((await db.raw(sql, bindings)).rows[0].n);

/** A digest of the imported content, to prove a re-import changed nothing. */
async function contentDigest(db: Knex): Promise<Record<string, string>> {
  const q = async (sql: string) => String((await db.raw(sql)).rows[0].d);
  return {
    parcels: await q(`SELECT md5(string_agg(idu || ':' || coalesce(official_area_m2::text, '') || ':' || md5(ST_AsBinary(geom)::text) || ':' || updated_at::text, ',' ORDER BY idu)) AS d FROM parcels`),
    rights: await q(`SELECT md5(string_agg(idu || owner_id || right_code, ',' ORDER BY idu, owner_id, right_code)) AS d FROM parcel_rights`),
    owners: await q(`SELECT md5(string_agg(id || owner_key || name || kind || coalesce(organisation_code, '') || updated_at::text, ',' ORDER BY id)) AS d FROM owners`),
    qpv: await q(`SELECT md5(string_agg(code || name || md5(ST_AsBinary(geom)::text), ',' ORDER BY code)) AS d FROM qpv`),
    communes: await q(`SELECT md5(string_agg(insee || name || in_territory || coalesce(md5(ST_AsBinary(geom)::text), ''), ',' ORDER BY insee)) AS d FROM communes`),
    config: await q(`SELECT md5((SELECT string_agg(code || name, ',' ORDER BY code) FROM services) || (SELECT string_agg(organisation_code || theme_code || service_code, ',' ORDER BY 1) FROM managers) || (SELECT config::text FROM territory)) AS d`),
    history: await q(`SELECT count(*)::text AS d FROM parcel_history`),
  };
}

function writeFile(name: string, content: string | Buffer): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, content);
  return p;
}

const square = (x: number, y: number, d = 0.0005) => ({ type: 'Polygon', coordinates: [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]] });
const parcelFeature = (id: string, x: number, y: number, extra: Record<string, unknown> = {}) => ({
  type: 'Feature', id, geometry: square(x, y),
  properties: { id, commune: id.slice(0, 5), prefixe: id.slice(5, 8), section: id.slice(8, 10), numero: id.slice(10), contenance: 2000, updated: '2024-01-01', ...extra },
});
const featureCollection = (features: unknown[]) => JSON.stringify({ type: 'FeatureCollection', features });

const DGFIP_HEADER = 'Département (Champ géographique);Code Direction (Champ géographique);Code Commune (Champ géographique);Nom Commune (Champ géographique);Préfixe (Références cadastrales);Section (Références cadastrales);N° plan (Références cadastrales);N° de voirie (Adresse parcelle);Indice de répétition (Adresse parcelle);Code voie MAJIC (Adresse parcelle);Code voie rivoli (Adresse parcelle);Nature voie (Adresse parcelle);Nom voie (Adresse parcelle);Contenance (Caractéristiques parcelle);SUF (Evaluation SUF);Nature culture (Evaluation SUF);Contenance (Evaluation SUF);Code droit (Propriétaire(s) parcelle);N° MAJIC (Propriétaire(s) parcelle);N° SIREN (Propriétaire(s) parcelle);Groupe personne (Propriétaire(s) parcelle);Forme juridique (Propriétaire(s) parcelle);Forme juridique abrégée (Propriétaire(s) parcelle);Dénomination (Propriétaire(s) parcelle)';
const dgfipRow = (section: string, plan: string, right: string, siren: string, group: string, name: string, commune = '027') =>
  `91;0;${commune};ATHIS-MONS;;${section};${plan};;;;;;;500;;;;${right};M${siren.slice(-5)};${siren};${group};Société anonyme;SA;${name}`;
const latin1 = (lines: string[]) => Buffer.from(`${lines.join('\r\n')}\r\n`, 'latin1');

describe('import of the shipped demo data', () => {
  it('when the demo data is loaded, then 17 641 parcels over the four communes, 6 QPV and the owners are there', async () => {
    const { rows } = await knex.raw('SELECT commune_insee, count(*)::int AS n FROM parcels GROUP BY commune_insee ORDER BY commune_insee');
    expect(rows).toEqual([
      { commune_insee: '91027', n: 6759 }, { commune_insee: '91326', n: 2859 }, { commune_insee: '91432', n: 5166 }, { commune_insee: '91479', n: 2857 },
    ]);
    expect(await count(knex, 'SELECT count(*) AS n FROM parcels')).toBe(17641);
    expect(await count(knex, 'SELECT count(*) AS n FROM qpv')).toBe(6);
    expect(await count(knex, "SELECT count(*) AS n FROM communes WHERE in_territory")).toBe(4);
    expect(await count(knex, 'SELECT count(*) AS n FROM parcel_rights')).toBe(2262);
    expect(await count(knex, "SELECT count(*) AS n FROM parcels WHERE official_area_m2 IS NULL AND commune_insee = '91027'")).toBe(4);
    expect(await count(knex, 'SELECT count(*) AS n FROM parcels WHERE NOT ST_IsValid(geom)')).toBe(0);
  });

  it('when the same files are imported twice, then the second import changes nothing', async () => {
    const before = await contentDigest(knex);
    const summaries = await importPaths(knex, [paths.demoGeodata]);
    expect(summaries.map((s) => s.kind).sort()).toEqual(['cadastre', 'cadastre', 'cadastre', 'cadastre', 'communes', 'communes', 'config', 'owners', 'qpv']);
    for (const s of summaries) expect({ file: s.file, inserted: s.inserted, updated: s.updated, removed: s.removed }).toEqual({ file: s.file, inserted: 0, updated: 0, removed: 0 });
    expect(await contentDigest(knex)).toEqual(before);
  });
});

describe('DGFiP owners file', () => {
  it('when section and plan number are unpadded, then the 14-character IDU is rebuilt', () => {
    const rows = parseDgfipOwners('f.csv', latin1([DGFIP_HEADER, dgfipRow('A', '20', 'P', '990000037', '6', 'X'), dgfipRow('AC', '208', 'P', '200058014', '9', 'Y'), dgfipRow('B', '7', 'P', '200058014', '9', 'Y', '27')]));
    expect(rows.map((r) => r.idu)).toEqual(['910270000A0020', '91027000AC0208', '910270000B0007']);
  });

  it('when the file is latin-1, then accented names are decoded, and joint owners and non-P rights are told apart', async () => {
    const file = writeFile('owners-latin1.csv', latin1([
      DGFIP_HEADER,
      dgfipRow('AC', '49', 'P', '990000101', '6', 'SOCIÉTÉ D\'ÉCONOMIE MIXTE DE L\'ÎLE (FICTIF)'),
      dgfipRow('AC', '49', 'P', '990000119', '7', 'COPROPRIÉTÉ DU NOYER (FICTIF)'),
      dgfipRow('AC', '49', 'R', '990000011', '5', 'OPH ORGE SEINE HABITAT (FICTIF)'),
    ]));
    await inRolledBackTransaction(async (trx) => {
      const [summary] = await importPaths(trx, [file]);
      expect(summary).toMatchObject({ kind: 'owners', read: 3, inserted: 3 });
      const owners = await trx('owners').whereIn('siren', ['990000101', '990000119']).orderBy('siren').pluck('name');
      expect(owners).toEqual(['SOCIÉTÉ D\'ÉCONOMIE MIXTE DE L\'ÎLE (FICTIF)', 'COPROPRIÉTÉ DU NOYER (FICTIF)']);
      const rights = await trx('parcel_rights as r').join('owners as o', 'o.id', 'r.owner_id').where('r.idu', '91027000AC0049').orderBy(['r.right_code', 'o.siren']).select('o.siren', 'r.right_code', 'o.kind');
      expect(rights).toEqual([
        { siren: '990000101', right_code: 'P', kind: 'private_company' },
        { siren: '990000119', right_code: 'P', kind: 'coownership' },
        { siren: '990000011', right_code: 'R', kind: 'landlord' },
      ]);
      // the file now describes commune 91027 alone: its other rights are gone, other communes' rights stay
      expect(await count(trx, "SELECT count(*) AS n FROM parcel_rights WHERE idu LIKE '91027%'")).toBe(3);
      expect(await count(trx, "SELECT count(*) AS n FROM parcel_rights WHERE idu LIKE '91326%'")).toBeGreaterThan(0);
    });
  });
});

describe('a new cadastre vintage', () => {
  it('when a parcel changes, then it is updated and its previous state is kept in the history; a parcel gone is moved there', async () => {
    await inRolledBackTransaction(async (trx) => {
      const first = writeFile('cadastre-91999-parcelles.json', featureCollection([parcelFeature('919990000A0001', 2.30, 48.80), parcelFeature('919990000A0002', 2.31, 48.80)]));
      expect((await importPaths(trx, [first]))[0]).toMatchObject({ inserted: 2, updated: 0 });
      const next = path.join(tmp, 'v2');
      fs.mkdirSync(next, { recursive: true });
      fs.writeFileSync(path.join(next, 'cadastre-91999-parcelles.json'), featureCollection([parcelFeature('919990000A0001', 2.30, 48.80, { contenance: 2100, updated: '2025-01-01' })]));
      expect((await importPaths(trx, [next]))[0]).toMatchObject({ inserted: 0, updated: 1, removed: 1 });
      expect(await trx('parcels').where('idu', '919990000A0001').first('official_area_m2')).toEqual({ official_area_m2: 2100 });
      expect(await trx('parcel_history').where('idu', 'like', '91999%').orderBy('idu').select('idu', 'official_area_m2', 'change')).toEqual([
        { idu: '919990000A0001', official_area_m2: 2000, change: 'updated' },
        { idu: '919990000A0002', official_area_m2: 2000, change: 'removed' },
      ]);
    });
  });
});

describe('malformed files', () => {
  const rejects = async (file: string, expected: RegExp) => {
    const before = await contentDigest(knex);
    const err = await importPaths(knex, [file]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportError);
    expect((err as Error).message).toContain(path.basename(file));
    expect((err as Error).message).toMatch(expected);
    expect(await contentDigest(knex)).toEqual(before);
    expect(await count(knex, "SELECT count(*) AS n FROM parcels WHERE commune_insee = '91998'")).toBe(0);
  };

  it('when a cadastre feature has a bad id, then the feature number is named and the valid features before it are not written', async () => {
    await rejects(writeFile('cadastre-91998-parcelles.json', featureCollection([
      parcelFeature('919980000A0001', 2.3, 48.8), parcelFeature('919980000A0002', 2.31, 48.8), parcelFeature('91998-bad', 2.32, 48.8),
    ])), /entité n° 3.*identifiant/);
  });

  it('when the JSON is broken, then the line is named', async () => {
    await rejects(writeFile('cadastre-91998-parcelles.json', '{"type":"FeatureCollection","features":[\n{"type":"Feature",\n"geometry": nope}]}'), /ligne 3/);
  });

  it('when a ring is not closed, then the feature is named', async () => {
    const f = parcelFeature('919980000A0001', 2.3, 48.8);
    (f.geometry.coordinates[0] as number[][]).pop();
    await rejects(writeFile('cadastre-91998-parcelles.json', featureCollection([f])), /entité n° 1.*non fermé/);
  });

  it('when a DGFiP row has a bad section, then its line is named and no right is written', async () => {
    await rejects(writeFile('owners-bad.csv', latin1([DGFIP_HEADER, dgfipRow('A', '20', 'P', '990000037', '6', 'X'), dgfipRow('A#', '21', 'P', '990000037', '6', 'X')])), /ligne 3.*section/);
  });

  it('when a DGFiP header lacks a column, then line 1 is named', async () => {
    await rejects(writeFile('owners-header.csv', latin1([DGFIP_HEADER.replace('Code droit', 'Code truc'), dgfipRow('A', '20', 'P', '990000037', '6', 'X')])), /ligne 1.*code droit/);
  });

  it('when the configuration names an unknown service, then the field is named', async () => {
    const cfg = JSON.parse(fs.readFileSync(path.join(paths.demoGeodata, 'territoire.demo.json'), 'utf8'));
    cfg.managers[0].service = 'nope';
    await rejects(writeFile('territoire.bad.json', JSON.stringify(cfg)), /champ managers\.0\.service.*inconnu/);
  });

  it('when a QPV feature is a line, then the feature is named', async () => {
    await rejects(writeFile('qpv-bad.geojson', featureCollection([
      { type: 'Feature', properties: { code_qp: 'QP091999', nom_qp: 'Test' }, geometry: { type: 'LineString', coordinates: [[2.3, 48.8], [2.4, 48.9]] } },
    ])), /entité n° 1.*Polygon/);
  });

  it('when a given file is of no known kind, then it is refused', async () => {
    await rejects(writeFile('notes.json', '{"hello": "world"}'), /format non reconnu/);
  });
});
