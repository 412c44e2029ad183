/**
 * Annual review (issue 12 item 7, DESIGN 3.5): hand-built reports in 2017 (far from the demo activity and the other
 * tests' years) give a bilan whose figures are those of the statistics API for the same year; a commune user reads its
 * own commune's bilan only, in JSON, HTML, PDF (read back with pdftotext) and CSV; bad input is a 4xx.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../support/context.js';
import { DEMO, pointIn } from '../support/geo.js';
import { api, login } from '../support/http.js';

const YEAR = 2017;
let officer: string;
let juvisy: string;
let athis: string;
let oph: string;

/** Juvisy: six reports in March and two graffiti in June (one transferred), all on one spot (a hotspot); Athis-Mons: three. */
async function insertFixtures() {
  const { db } = await testContext();
  const author = await db.knex('users').where({ email: 'gup@demo.gup' }).first('id');
  const juvisySpot = await pointIn(DEMO.communeJuvisy);
  const athisSpot = await pointIn(DEMO.jointEptAthis);
  const rows = [
    ...Array.from({ length: 6 }, (_, i) => ({ commune: '91326', service: 'com-91326-st', category: 'depot_sauvage', created: `${YEAR}-03-0${i + 1}T08:00:00Z`, spot: juvisySpot, transfers: 0 })),
    ...Array.from({ length: 2 }, (_, i) => ({ commune: '91326', service: 'com-91326-st', category: 'graffiti', created: `${YEAR}-06-1${i}T08:00:00Z`, spot: juvisySpot, transfers: i })),
    ...Array.from({ length: 3 }, (_, i) => ({ commune: '91027', service: 'com-91027-proprete', category: 'depot_sauvage', created: `${YEAR}-09-0${i + 1}T08:00:00Z`, spot: athisSpot, transfers: 0 })),
  ];
  const h = (iso: string, hours: number) => new Date(Date.parse(iso) + hours * 3_600_000);
  await db.knex('reports').insert(rows.map((r, i) => ({
    reference: `BILAN-${i}`, category_code: r.category, description: `Bilan ${i}`, status: 'closed', commune_insee: r.commune,
    service_code: r.service, routing: JSON.stringify({}), created_by: author.id, created_at: new Date(r.created), updated_at: new Date(r.created),
    geom: db.knex.raw('ST_SetSRID(ST_MakePoint(?, ?), 4326)', [r.spot[0] + i * 0.000_001, r.spot[1]]),
    qpv_code: null, urgent: false, source: 'web', ack_due_at: h(r.created, 24), resolve_due_at: h(r.created, 72),
    ack_at: h(r.created, 2), acknowledged_at: h(r.created, 2), resolved_at: h(r.created, i % 2 ? 100 : 10), finished_at: h(r.created, 100),
    transfer_count: r.transfers,
  })));
  await db.knex('action_items').insert([
    { title: 'Nettoyage du square', commune_insee: '91326', origin: 'committee', status: 'done', created_by: author.id, created_at: new Date(`${YEAR}-04-01T08:00:00Z`) },
    { title: 'Éclairage de la passerelle', commune_insee: '91326', origin: 'committee', status: 'dropped', created_by: author.id, created_at: new Date(`${YEAR}-05-01T08:00:00Z`) },
    { title: 'Action du plan de la ville voisine', commune_insee: '91027', origin: 'committee', status: 'planned', created_by: author.id, created_at: new Date(`${YEAR}-05-01T08:00:00Z`) },
  ]);
}

beforeAll(async () => {
  await insertFixtures();
  [officer, juvisy, athis, oph] = (await Promise.all(['gup@demo.gup', 'mairie.juvisy@demo.gup', 'mairie.athis@demo.gup', 'oph@demo.gup'].map((e) => login(e)))) as [string, string, string, string];
});

const bilan = (cookie: string, path: string, headers: Record<string, string> = {}) => api(`/api/bilans/${path}`, { cookie, headers });

async function pdfText(cookie: string, path: string): Promise<{ status: number; type: string | null; text: string }> {
  const { baseUrl } = await testContext();
  const res = await fetch(`${baseUrl}/api/bilans/${path}`, { headers: { cookie } });
  const bytes = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) return { status: res.status, type: res.headers.get('content-type'), text: '' };
  expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
  const text = execFileSync('pdftotext', ['-layout', '-', '-'], { input: bytes }).toString('utf8');
  return { status: res.status, type: res.headers.get('content-type'), text };
}

describe('Bilan: contents', () => {
  it('when a commune user asks its year in JSON, then its figures are the statistics of that year for its commune', async () => {
    const res = await bilan(juvisy, `${YEAR}`);
    expect(res.status).toBe(200);
    expect(res.body.commune).toEqual({ insee: '91326', name: 'Juvisy-sur-Orge' });
    expect(res.body.totals.received).toBe(8);
    expect(res.body.totals.transfers).toBe(1);
    const stats = await api(`/api/stats?from=${YEAR}-01-01&to=${YEAR}-12-31&groupBy=theme`, { cookie: juvisy });
    expect(res.body.totals).toEqual(stats.body.totals);
    expect(res.body.byTheme).toEqual(stats.body.rows);
    expect(res.body.byMonth.map((r: any) => [r.key, r.received])).toEqual([[`${YEAR}-03`, 6], [`${YEAR}-06`, 2]]);
    expect(res.body.byQpv.map((r: any) => [r.key, r.received])).toEqual([['hors_qpv', 8]]);
    expect(res.body.hotspots.features).toHaveLength(1);
    expect(res.body.hotspots.features[0].properties.reports).toBe(8); // all of Juvisy's reports lie within metres of one spot
    expect(res.body.perimeter.communes).toEqual(['Juvisy-sur-Orge']);
  });

  it('when an officer asks the territory, then both communes are counted, and a commune on demand gives that commune', async () => {
    const all = await bilan(officer, `${YEAR}`);
    expect(all.status).toBe(200);
    expect(all.body.commune).toBeNull();
    expect(all.body.totals.received).toBe(11);
    const athisBilan = await bilan(officer, `${YEAR}?commune=91027`);
    expect(athisBilan.body.commune.name).toBe('Athis-Mons');
    expect(athisBilan.body.totals.received).toBe(3);
  });

  it('when a browser asks the bilan, then an escaped French HTML page with the figures and links to the PDF and CSV', async () => {
    const res = await bilan(juvisy, `${YEAR}`, { accept: 'text/html,application/xhtml+xml' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = res.body as string;
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain(`Bilan ${YEAR} — Juvisy-sur-Orge`);
    expect(html).toContain('<th scope="row">mars 2017</th><td>6</td>');
    expect(html).toContain(`href="${YEAR}.pdf?commune=91326"`);
    expect(html).toContain('<svg');
    expect(html).not.toContain('<script');
  });

  it('when the officer downloads the PDF of a commune, then pdftotext finds the commune, its figures and the sections', async () => {
    const { status, type, text } = await pdfText(officer, `${YEAR}.pdf?commune=91326`);
    expect(status).toBe(200);
    expect(type).toBe('application/pdf');
    expect(text).toContain(`Bilan annuel ${YEAR} — Juvisy-sur-Orge`);
    expect(text).toMatch(/Signalements reçus : 8\b/);
    expect(text).toContain('Activité par thématique');
    expect(text).toContain('Points chauds récurrents');
    expect(text).toMatch(/mars 2017\s+6\b/);
  });

  it('when the CSV is asked, then one row per section and group with the same figures', async () => {
    const res = await bilan(juvisy, `${YEAR}.csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const lines = (res.body as string).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toContain('"section";"cle";"libelle";"Signalements reçus"');
    expect(lines[1]).toMatch(/^"total";"91326";"Juvisy-sur-Orge";8;/);
    expect(lines).toContainEqual(expect.stringMatching(/^"mois";"2017-03";"mars 2017";6;/));
  });
});

describe('Bilan: action plan', () => {
  it('when a commune reads its bilan, then its action-plan items of the year by status, and not the neighbour\'s', async () => {
    const res = await bilan(juvisy, `${YEAR}`);
    expect(res.body.actions.total).toBe(2);
    expect(res.body.actions.byStatus).toEqual({ Programmée: 0, 'En cours': 0, Réalisée: 1, Abandonnée: 1 });
    const pdf = await pdfText(juvisy, `${YEAR}.pdf`);
    expect(pdf.text).toContain('Nettoyage du square');
    expect(pdf.text).not.toContain('ville voisine');
    const all = await bilan(officer, `${YEAR}`);
    expect(all.body.actions.total).toBe(3);
  });
});

describe('Bilan: walking diagnoses and action plan of a busy territory', () => {
  const LATER = 2019;
  /**
   * Juvisy in 2017: a session in March with three observations (two pending, one dismissed) and one in October with
   * none; one on 31 December 2016 (another year). In 2019: 501 sessions and 5 001 overdue action items, more than the
   * list APIs' caps (500 / 5 000), all listed before 2017's when sorted the lists' way.
   */
  beforeAll(async () => {
    const { db } = await testContext();
    const author = await db.knex('users').where({ email: 'gup@demo.gup' }).first('id');
    const [x, y] = await pointIn(DEMO.communeJuvisy);
    const route = db.knex.raw('ST_SetSRID(ST_MakeLine(ST_MakePoint(?, ?), ST_MakePoint(?, ?)), 4326)', [x, y, x + 0.001, y]);
    const session = async (title: string, heldOn: string, outcomes: string[]) => {
      const [{ id }] = await db.knex('diagnostics').insert({ title, commune_insee: '91326', held_on: heldOn, geom: route, status: 'closed', created_by: author.id }).returning('id');
      if (outcomes.length) {
        await db.knex('diagnostic_observations').insert(outcomes.map((outcome, i) => ({
          diagnostic_id: id, uuid: db.knex.raw('gen_random_uuid()'), geom: db.knex.raw('ST_SetSRID(ST_MakePoint(?, ?), 4326)', [x + i * 0.0001, y]),
          criterion: 'proprete', kind: 'dysfunction', text: `Observation ${i}`, author_id: author.id, captured_at: new Date(`${heldOn}T10:00:00Z`), outcome,
        })));
      }
    };
    await session('Diagnostic de la veille', `${YEAR - 1}-12-31`, ['pending']);
    await session('Diagnostic de mars', `${YEAR}-03-10`, ['pending', 'dismissed', 'pending']);
    await session('Diagnostic d’octobre', `${YEAR}-10-05`, []);
    await db.knex.raw(
      `INSERT INTO diagnostics (title, commune_insee, held_on, geom, status, created_by)
       SELECT 'Diagnostic ' || n, '91326', (? || '-06-01')::date + (n % 200), ?, 'closed', ? FROM generate_series(1, 501) n`,
      [String(LATER), route, author.id],
    );
    await db.knex.raw(
      `INSERT INTO action_items (title, commune_insee, origin, status, due_on, created_by, created_at)
       SELECT 'Action ' || n, '91326', 'committee', 'planned', (? || '-02-01')::date + (n % 300), ?, ?::timestamptz FROM generate_series(1, 5001) n`,
      [String(LATER), author.id, `${LATER}-01-15T08:00:00Z`],
    );
  });

  // the test files share one database: the busy year's 501 sessions and 5 001 items would weigh on every later file
  // (an officer's action plan page listing 5 001 items)
  afterAll(async () => {
    const { db } = await testContext();
    await db.knex('action_items').where({ commune_insee: '91326', created_at: new Date(`${LATER}-01-15T08:00:00Z`) }).whereRaw(`title ~ '^Action [0-9]+$'`).delete();
    await db.knex('diagnostics').where({ commune_insee: '91326' }).whereRaw(`title ~ '^Diagnostic [0-9]+$' AND held_on BETWEEN ? AND ?`, [`${LATER}-01-01`, `${LATER}-12-31`]).delete();
  });

  it('when Juvisy reads 2017 after a later year with more sessions and items than the lists hold, then 2017 is complete and exact', async () => {
    const res = await bilan(juvisy, `${YEAR}`);
    expect(res.status).toBe(200);
    expect(res.body.diagnostics).toEqual([
      { title: 'Diagnostic de mars', heldOn: `${YEAR}-03-10`, commune: 'Juvisy-sur-Orge', observations: 3, outcomes: { 'À trier': 2, Écartée: 1 } },
      { title: 'Diagnostic d’octobre', heldOn: `${YEAR}-10-05`, commune: 'Juvisy-sur-Orge', observations: 0, outcomes: {} },
    ]);
    expect(res.body.actions.total).toBe(2);
    expect(res.body.actions.items.map((a: { title: string }) => a.title).sort()).toEqual(['Nettoyage du square', 'Éclairage de la passerelle']);
  });

  it('when the later year is read, then all its 501 sessions and 5 001 items are counted, and none of 2017', async () => {
    const res = await bilan(officer, `${LATER}?commune=91326`);
    expect(res.status).toBe(200);
    expect(res.body.diagnostics).toHaveLength(501);
    expect(res.body.actions.total).toBe(5001);
    expect(res.body.actions.byStatus['Programmée']).toBe(5001);
  });

  it('when the PDF of that busy year is asked, then it comes within seconds, lists the first 100 sessions and items and names how many more', async () => {
    const started = performance.now();
    const { status, text } = await pdfText(officer, `${LATER}.pdf?commune=91326`);
    expect(status).toBe(200);
    expect(performance.now() - started).toBeLessThan(25_000); // 5 001 table rows took over a minute of CPU
    expect(text).toContain('5001 action(s)');
    expect(text).toContain('… et 4901 autre(s) action(s)');
    expect(text).toContain('… et 401 autre(s) diagnostic(s)');
  });
});

describe('Bilan: sub-sector decisions of a busy later year', () => {
  /** An archived sub-sector recomputed 202 times: its one flip of 2017, then 201 flips in 2019 (the flips list holds 200). */
  beforeAll(async () => {
    const { db } = await testContext();
    const [x, y] = await pointIn(DEMO.communeJuvisy);
    const geom = db.knex.raw('ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(?, ?), 4326), 0.001))', [x, y]);
    const [{ id }] = await db.knex('subsectors').insert({ name: 'Secteur des bascules', status: 'archived', current_version: 203, geom, outcome: 'shared', threshold: 0.6, shares: '[]' }).returning('id');
    await db.knex.raw(
      `INSERT INTO subsector_versions (subsector_id, version, name, status, geom, outcome, threshold, borderline, shares, change, created_at)
       SELECT ?, n, 'Secteur des bascules', 'active', ?, CASE WHEN n % 2 = 0 THEN 'shared' ELSE 'delegated' END, 0.6, false, '[]'::jsonb,
              CASE WHEN n = 1 THEN 'created' ELSE 'recomputed' END,
              CASE WHEN n <= 2 THEN ?::timestamptz + n * interval '1 day' ELSE ?::timestamptz + n * interval '1 hour' END
         FROM generate_series(1, 203) n`,
      [id, geom, `${YEAR}-04-01T08:00:00Z`, '2019-03-01T08:00:00Z'],
    );
  });

  it('when the territory reads 2017 after a later year with more flips than the list holds, then the 2017 flip is there and none of 2019', async () => {
    const res = await bilan(officer, `${YEAR}`);
    expect(res.status).toBe(200);
    const mine = res.body.subsectorFlips.filter((f: { name: string }) => f.name === 'Secteur des bascules');
    expect(mine).toEqual([{ name: 'Secteur des bascules', at: `${YEAR}-04-03`, from: expect.stringMatching(/^déléguée/), to: 'gestion partagée' }]);
    const later = await bilan(officer, '2019');
    expect(later.body.subsectorFlips.filter((f: { name: string }) => f.name === 'Secteur des bascules')).toHaveLength(201);
  });
});

describe('Bilan: scope', () => {
  it('when Juvisy asks Athis-Mons in any format, then 403 and nothing of Athis-Mons', async () => {
    for (const path of [`${YEAR}?commune=91027`, `${YEAR}.pdf?commune=91027`, `${YEAR}.csv?commune=91027`]) {
      const res = await bilan(juvisy, path);
      expect(res.status, path).toBe(403);
      expect(JSON.stringify(res.body)).not.toContain('Athis');
    }
  });

  it('when Juvisy reads its own bilan in HTML, PDF and CSV, then Athis-Mons is named nowhere and its reports are not counted', async () => {
    const html = await bilan(juvisy, `${YEAR}`, { accept: 'text/html' });
    expect(html.body).not.toContain('Athis');
    const csv = await bilan(juvisy, `${YEAR}.csv`);
    expect(csv.body).not.toContain('Athis');
    const pdf = await pdfText(juvisy, `${YEAR}.pdf`);
    expect(pdf.text).toContain('Juvisy-sur-Orge');
    expect(pdf.text).not.toContain('Athis');
    const json = await bilan(juvisy, `${YEAR}`);
    expect(JSON.stringify(json.body)).not.toContain('Athis');
  });

  it('when Athis-Mons asks without a commune, then its own bilan', async () => {
    const res = await bilan(athis, `${YEAR}`);
    expect(res.body.commune.insee).toBe('91027');
    expect(res.body.totals.received).toBe(3);
  });

  it('when a service agent or an anonymous caller asks, then 403 / 401', async () => {
    expect((await bilan(oph, `${YEAR}`)).status).toBe(403);
    expect((await api(`/api/bilans/${YEAR}`)).status).toBe(401);
  });
});

describe('Bilan: bad input', () => {
  it('when the year is out of range, malformed or holds a NUL, then 400 naming the year', async () => {
    for (const y of ['1999', '3000', 'abc', '20%0017', `${YEAR}x`]) {
      const res = await bilan(officer, y);
      expect(res.status, y).toBe(400);
      expect(JSON.stringify(res.body.error.details), y).toMatch(/year|path/);
    }
  });

  it('when the format or the commune is unknown or malformed, then 404 / 400 naming the commune', async () => {
    expect((await bilan(officer, `${YEAR}.docx`)).status).toBe(404);
    const unknown = await bilan(officer, `${YEAR}?commune=75056`);
    expect(unknown.status).toBe(404);
    expect(JSON.stringify(unknown.body.error.details)).toContain('commune');
    const bad = await bilan(officer, `${YEAR}?commune=abc`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error.details)).toContain('commune');
    expect((await bilan(officer, `${YEAR}?commune=91326&x=1`)).status).toBe(400);
  });
});

describe('Bilan: the commune\'s free-text section', () => {
  const put = (cookie: string, year: number | string, insee: string, text: unknown) => api(`/api/bilans/${year}/communes/${insee}/text`, { method: 'PUT', cookie, body: { text } });
  const validate = (cookie: string, year: number | string, insee: string) => api(`/api/bilans/${year}/communes/${insee}/validate`, { method: 'POST', cookie });

  it('when Juvisy writes and an officer validates, then readers see the validated text, and the draft only its commune and officers', async () => {
    const planner = await login('urbaniste@demo.gup');
    expect((await put(juvisy, YEAR, '91326', 'Une année de <b>propreté</b> renforcée.')).status).toBe(200);
    const own = await bilan(juvisy, `${YEAR}`);
    expect(own.body.texts).toMatchObject([{ insee: '91326', validated: null, draft: 'Une année de <b>propreté</b> renforcée.' }]);
    expect((await bilan(planner, `${YEAR}?commune=91326`)).body.texts).toEqual([]);
    const html = await bilan(juvisy, `${YEAR}`, { accept: 'text/html' });
    expect(html.body).toContain('Brouillon non validé');
    expect(html.body).toContain('&lt;b&gt;propreté&lt;/b&gt;');

    expect((await validate(juvisy, YEAR, '91326')).status).toBe(403);
    expect((await validate(officer, YEAR, '91326')).status).toBe(200);
    const seen = await bilan(planner, `${YEAR}?commune=91326`);
    expect(seen.body.texts).toEqual([expect.objectContaining({ insee: '91326', name: 'Juvisy-sur-Orge', validated: 'Une année de <b>propreté</b> renforcée.' })]);
    expect(seen.body.texts[0].draft).toBeUndefined();
    const pdf = await pdfText(planner, `${YEAR}.pdf?commune=91326`);
    expect(pdf.text).toContain('Une année de <b>propreté</b> renforcée.');

    expect((await put(juvisy, YEAR, '91326', 'Version révisée')).status).toBe(200);
    expect((await bilan(planner, `${YEAR}?commune=91326`)).body.texts[0]).toMatchObject({ validated: 'Une année de <b>propreté</b> renforcée.' });
    expect((await bilan(juvisy, `${YEAR}`)).body.texts[0]).toMatchObject({ validated: 'Une année de <b>propreté</b> renforcée.', draft: 'Version révisée' });

    const { db } = await testContext();
    const actions = (await db.knex('audit_log').where({ entity: 'bilan_text', entity_id: `${YEAR}/91326` }).orderBy('id').select('action')).map((r) => r.action);
    expect(actions).toEqual(['bilan.text.write', 'bilan.text.validate', 'bilan.text.write']);
  });

  it('when Athis-Mons or a service agent writes Juvisy\'s section, then 403 and nothing is stored', async () => {
    expect((await put(athis, YEAR - 1, '91326', 'Intrusion')).status).toBe(403);
    expect((await put(oph, YEAR - 1, '91326', 'Intrusion')).status).toBe(403);
    const { db } = await testContext();
    expect(await db.knex('bilan_texts').where({ year: YEAR - 1 }).first()).toBeUndefined();
  });

  it('when the text, the year or the commune is wrong, then a 4xx naming it and nothing is stored', async () => {
    const cases: [unknown, number | string, string, number, string][] = [
      ['  ', YEAR - 1, '91326', 400, 'text'],
      ['a\u0000b', YEAR - 1, '91326', 400, 'text'],
      ['x'.repeat(20_001), YEAR - 1, '91326', 400, 'text'],
      [42, YEAR - 1, '91326', 400, 'text'],
      ['ok', 1999, '91326', 400, 'year'],
      ['ok', YEAR - 1, 'abc', 400, 'insee'],
      ['ok', YEAR - 1, '75056', 404, 'insee'],
    ];
    for (const [text, year, insee, status, field] of cases) {
      const res = await put(officer, year, insee, text);
      expect(res.status, `${field} ${String(text).slice(0, 10)}`).toBe(status);
      expect(JSON.stringify(res.body.error.details)).toContain(field);
    }
    const { db } = await testContext();
    expect(await db.knex('bilan_texts').where({ year: YEAR - 1 }).first()).toBeUndefined();
    expect((await validate(officer, YEAR - 1, '91027')).status).toBe(409);
  });
});
