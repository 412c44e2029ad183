import { beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../support/context.js';
import { api, login } from '../support/http.js';

// Attacker's pass over the annual review (GET /api/bilans/{year}[.pdf|.csv]?commune=, the communes' sections): who reads
// which bilan, what a year or a commune may be, what a commune's text becomes in the HTML page, and what one caller
// asking bilans in a loop costs the server.

let officer: string;
let athis: string;
let juvisy: string;
let agent: string;
const YEAR = 2012; // a year no other test file writes anything in (the test files share one database: bilans.test.ts fills 2019 with 501 sessions and 5 001 action items, whose PDF takes a minute to draw on the embedded engine)

const bilan = (cookie: string | undefined, path: string, headers: Record<string, string> = {}) => api(`/api/bilans/${path}`, { cookie, headers });
const writeText = (cookie: string, insee: string, text: unknown, year: number | string = YEAR) =>
  api(`/api/bilans/${year}/communes/${insee}/text`, { method: 'PUT', cookie, body: { text } });

async function texts(): Promise<number> {
  const { db } = await testContext();
  return Number((await db.knex('bilan_texts').count({ n: '*' }))[0]!.n);
}

beforeAll(async () => {
  officer = await login('gup@demo.gup');
  athis = await login('mairie.athis@demo.gup');
  juvisy = await login('mairie.juvisy@demo.gup');
  agent = await login('dechets@demo.gup');
});

describe('attack: the annual review', () => {
  // The slots are taken here by held work (the app's own `slots.documents`, in this process), not by a flood of
  // real PDFs: which of six concurrent requests finds a slot depends on the machine's load, a held slot does not.
  it('when one commune user already has two documents being computed, then the next is refused at once with 429 (not queued), an officer is still served, and once they end the commune is served again', async () => {
    const athisId = (await api('/api/auth/me', { cookie: athis })).body.user.id as number;
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    const { slots: { documents: documentSlots } } = await testContext();
    const running = [documentSlots.run(athisId, () => held), documentSlots.run(athisId, () => held)];
    try {
      for (const form of ['.pdf', '', '.csv']) {
        const refused = await bilan(athis, `${YEAR}${form}`);
        expect(refused.status, form).toBe(429);
        expect(refused.body.error.code, form).toBe('too_many_requests');
      }
      expect((await bilan(officer, `${YEAR}.pdf?commune=91326`)).status).toBe(200);
    } finally {
      release();
      await Promise.all(running);
    }
    expect(documentSlots.busy).toBe(0);
    expect((await bilan(athis, `${YEAR}.pdf`)).status).toBe(200);
  });

  it('when the server already computes four documents, then another caller is refused at once with 503, and served once they end', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    const { slots: { documents: documentSlots } } = await testContext();
    // four other accounts' documents (ids no demo account has), two each
    const running = [-1, -1, -2, -2].map((id) => documentSlots.run(id, () => held));
    try {
      const busy = await bilan(juvisy, `${YEAR}.pdf`);
      expect(busy.status).toBe(503);
      expect(busy.body.error.code).toBe('busy');
    } finally {
      release();
      await Promise.all(running);
    }
    expect((await bilan(juvisy, `${YEAR}.pdf`)).status).toBe(200);
  });

  it('when the year is out of range or not a year, then 400 naming year (404 for an unknown format)', async () => {
    const next = new Date().getUTCFullYear() + 2;
    for (const y of ['99999', '-1', '1999', String(next), '2025abc', '0x7e9', '2e3', '%202025', '２０２５']) {
      const res = await bilan(officer, y);
      expect(res.status, y).toBe(400);
      expect(res.body.error.details[0].field, y).toBe('year');
    }
    expect((await bilan(officer, '2025%00')).body.error.details[0].field).toBe('path'); // the NUL guard at the edge
    expect((await bilan(officer, `${YEAR}.exe`)).status).toBe(404);
    expect((await bilan(officer, `${YEAR}.pdf.csv`)).status).toBe(404);
  });

  it('when a commune user asks another commune, a service agent or an anonymous caller asks a bilan, then 403 / 401 in every form', async () => {
    for (const form of ['', '.pdf', '.csv']) {
      expect((await bilan(athis, `${YEAR}${form}?commune=91326`)).status, form).toBe(403);
      expect((await bilan(agent, `${YEAR}${form}`)).status, form).toBe(403);
      expect((await bilan(undefined, `${YEAR}${form}`)).status, form).toBe(401);
    }
    expect((await bilan(athis, `${YEAR}?commune=91326`, { accept: 'text/html' })).status).toBe(403);
  });

  it('when the commune parameter is not an INSEE code (SQL, repeated, NUL), then 400 naming commune', async () => {
    for (const q of ["91027'%20OR%201=1--", '91027&commune=91326', '9102%00', 'x'.repeat(300)]) {
      const res = await bilan(officer, `${YEAR}?commune=${q}`);
      expect(res.status, q).toBe(400);
      expect(JSON.stringify(res.body.error.details), q).toContain('commune');
    }
  });

  it('when a commune writes HTML and script into its section, then the validated text appears escaped in the HTML page', async () => {
    const payload = '<script>alert(1)</script><img src=x onerror=alert(2)> « Bilan » & "suite"';
    expect((await writeText(athis, '91027', payload)).status).toBe(200);
    expect((await api(`/api/bilans/${YEAR}/communes/91027/validate`, { method: 'POST', cookie: officer })).status).toBe(200);
    const html = (await bilan(athis, `${YEAR}`, { accept: 'text/html' })).body as string;
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
  });

  it('when a commune writes another commune\'s section, its own validation, a NUL byte, an oversized text or a future year, then 4xx naming the field and nothing is stored', async () => {
    const before = await texts();
    expect((await writeText(juvisy, '91027', 'Texte de Juvisy')).status).toBe(403);
    expect((await api(`/api/bilans/${YEAR}/communes/91027/validate`, { method: 'POST', cookie: athis })).status).toBe(403);
    const cases: [unknown, number | string, string][] = [
      ['a\u0000b', YEAR, 'text'], ['x'.repeat(20_001), YEAR, 'text'], [{ $ne: 1 }, YEAR, 'text'], ['Texte', 99999, 'year'], ['Texte', -1, 'year'],
    ];
    for (const [text, year, field] of cases) {
      const res = await writeText(athis, '91027', text, year);
      expect(res.status, `${field} ${String(year)}`).toBe(400);
      expect(JSON.stringify(res.body.error.details), field).toContain(field);
    }
    expect((await writeText(athis, '91027%27', 'Texte')).status).toBe(400);
    expect(await texts()).toBe(before);
  });
});
