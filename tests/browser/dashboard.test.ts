/**
 * Dashboard and work lists (issue 12 items 3 and 4), in Chromium on the demo's synthetic year: the officer opens the
 * dashboard, filters one QPV (the URL keeps it, the figures change), sees the hotspot map and lists a cell's reports,
 * exports CSV and XLSX; axe-core finds no violation; a commune user sees only its commune; a service agent lands on
 * its queue with its counts; the officer's list puts the overdue reports first; a closed period says so. It closes June 2018
 * (no other test uses that month). Needs the built client.
 * The officer closes a past period from the dashboard (February 2016) and opens it from the list.
 * From the « Bilan annuel » section the officer downloads a commune's bilan PDF (read back by pdftotext); a commune
 * user is offered its own commune's bilan only.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { readSheet } from 'read-excel-file/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../support/context.js';
import { api, login } from '../support/http.js';
import { axeViolations, clickMapAt, startPeople, waitForMapIdle, type People } from './support.js';

const OFFICER = 'gup@demo.gup';
const ATHIS = 'mairie.athis@demo.gup';
const OPH_AGENT = 'oph@demo.gup';
const POLL = { timeout: 30_000, interval: 200 };

let people: People;
/** The QPV with the most demo reports. */
let qpv: { code: string; name: string };

const cardValue = (page: Page, key: string) => page.locator(`[data-card="${key}"] [data-testid="card-value"]`).textContent();
const asInteger = (text: string | null) => Number((text ?? '').replace(/\D/g, ''));

beforeAll(async () => {
  const { db } = await testContext();
  const { rows } = await db.knex.raw(
    `SELECT q.code, q.name FROM reports r JOIN qpv q ON q.code = r.qpv_code GROUP BY q.code, q.name ORDER BY count(*) DESC, q.code LIMIT 1`,
  );
  qpv = { code: rows[0].code, name: rows[0].name };
  people = await startPeople();
});

afterAll(() => people?.close());

describe('the dashboard (observatoire)', { timeout: 120_000 }, () => {
  it('when the officer filters one QPV, then the URL keeps it, the figures change, the hotspot map lists a cell\'s reports and the exports hold the QPV\'s figures', async () => {
    const page = await people.signIn(OFFICER);
    await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Tableau de bord' }).click();
    await page.getByRole('heading', { level: 1, name: 'Tableau de bord des interventions' }).waitFor();
    await page.getByTestId('indicator-cards').waitFor();
    const allReceived = asInteger(await cardValue(page, 'received'));
    expect(allReceived).toBeGreaterThan(1000);

    await page.getByLabel('Quartier prioritaire').selectOption(qpv.code);
    await page.waitForURL((url) => url.searchParams.get('qpv') === qpv.code);
    const cookie = await login(OFFICER);
    const expected = (await api(`/api/stats?qpv=${qpv.code}`, { cookie })).body;
    await expect.poll(async () => asInteger(await cardValue(page, 'received')), POLL).toBe(expected.totals.received);
    expect(expected.totals.received).toBeLessThan(allReceived);
    await page.reload(); // the filter survives a reload
    await expect.poll(async () => asInteger(await cardValue(page, 'received')), POLL).toBe(expected.totals.received);
    expect(await page.getByLabel('Quartier prioritaire').inputValue()).toBe(qpv.code);

    // the hotspot map: cells drawn, and a click on one lists its reports
    const hotspots = (await api(`/api/stats/hotspots?qpv=${qpv.code}`, { cookie })).body;
    expect(hotspots.features.length).toBeGreaterThan(0);
    const map = page.getByTestId('hotspot-map');
    await map.scrollIntoViewIfNeeded();
    await expect.poll(() => map.getAttribute('data-cells'), POLL).toBe(String(hotspots.features.length));
    await waitForMapIdle(page);
    expect(await page.getByTestId('hotspots-table').locator('tbody tr').count()).toBe(hotspots.features.length);
    const ring: [number, number][] = hotspots.features[0].geometry.coordinates[0];
    const centre = [ring.slice(0, 4).reduce((s, p) => s + p[0], 0) / 4, ring.slice(0, 4).reduce((s, p) => s + p[1], 0) / 4];
    await clickMapAt(page, centre[0]!, centre[1]!);
    const list = page.getByTestId('cell-reports');
    await list.getByRole('heading', { name: /Signalements du carré n° 1/ }).waitFor(POLL);
    expect(await list.getByRole('link').count()).toBeGreaterThanOrEqual(hotspots.features[0].properties.reports);

    // CSV: the QPV's rows, by month, and its totals
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('stats-csv').click()]);
    const text = fs.readFileSync((await csv.path())!, 'utf8').replace(/^\uFEFF/, '');
    const lines = text.trim().split('\r\n').map((l) => l.split(';').map((c) => c.replace(/^"|"$/g, '')));
    expect(lines[0]!.slice(0, 3)).toEqual(['Mois', 'Code', 'Reçus']);
    expect(lines.length).toBe(expected.rows.length + 2);
    expect(lines.at(-1)!.slice(0, 3)).toEqual(['Total', '', String(expected.totals.received)]);

    // XLSX: a real workbook with the same figures, read back by the sister library
    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByTestId('stats-xlsx').click()]);
    expect(xlsx.suggestedFilename()).toMatch(/\.xlsx$/);
    const sheet = await readSheet(fs.readFileSync((await xlsx.path())!));
    expect(sheet[0]!.slice(0, 3)).toEqual(['Mois', 'Code', 'Reçus']);
    expect(sheet.at(-1)!.slice(0, 3)).toEqual(['Total', null, expected.totals.received]);

    // sorting the table by a column, from the keyboard
    await page.getByTestId('stats-table').locator('button[data-sort="received"]').focus();
    await page.keyboard.press('Enter');
    const received = await page.getByTestId('stats-table').locator('tbody tr td:nth-of-type(1)').allTextContents();
    const numbers = received.map(asInteger);
    expect(numbers).toEqual([...numbers].sort((a, b) => b - a));
  });

  it('when axe-core checks the dashboard, with the chart\'s data shown, then it reports no violation; at 390 px nothing overflows the page', async () => {
    const page = await people.signIn(OFFICER);
    await page.goto(`/tableau-de-bord?qpv=${qpv.code}&groupBy=commune`);
    await page.getByTestId('stats-table').waitFor();
    await page.getByTestId('hotspot-map').scrollIntoViewIfNeeded();
    await waitForMapIdle(page);
    await page.getByText('Voir les données du graphique').click();
    expect(await axeViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 390, height: 800 });
    // nothing sticks out of the page at 390 px (tables scroll inside their own region)
    await expect.poll(() => page.evaluate(() => [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > 391 && !e.parentElement?.closest('.table-wrap'))
      .map((e) => `${e.tagName}.${e.getAttribute('class') ?? ''}`).slice(0, 5)), POLL).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  });

  it('when the officer opens a closed period, then the page says when and by whom it was closed, and a live period says nothing of the kind', async () => {
    const cookie = await login(OFFICER);
    const closed = await api('/api/stats/periods', { cookie, body: { from: '2018-06-01', to: '2018-06-30', label: 'Comité de pilotage — juin 2018' } });
    expect(closed.status).toBe(201);
    const page = await people.signIn(OFFICER);
    await page.goto('/tableau-de-bord?from=2018-06-01&to=2018-06-30');
    const note = page.getByTestId('frozen');
    await note.waitFor(POLL);
    expect(await note.textContent()).toMatch(/Période close le .+ par Chargée de mission GUP/);
    await page.goto('/tableau-de-bord?from=2018-06-01&to=2018-06-29');
    await page.getByTestId('dashboard-period').filter({ hasText: '29/06/2018' }).waitFor(POLL);
    expect(await note.count()).toBe(0);
  });

  it('when the officer closes a past period from the dashboard, then it is listed with who closed it, and a click shows its frozen figures beside the live ones', async () => {
    const page = await people.signIn(OFFICER);
    await page.goto('/tableau-de-bord');
    const section = page.getByTestId('periods-section');
    await section.waitFor(POLL);
    const label = 'Comité technique — février 2016';
    await section.getByLabel('Libellé (ex. comité de pilotage)').fill(label);
    await section.getByLabel('Début de la période').fill('2016-02-01');
    await section.getByLabel('Fin de la période').fill('2016-02-29');
    await section.getByRole('button', { name: 'Clore la période' }).click();
    const item = section.getByTestId('periods-list').locator('li').filter({ hasText: label });
    await item.waitFor(POLL);
    expect(await item.textContent()).toMatch(/close le .+ par Chargée de mission GUP/);
    const cookie = await login(OFFICER);
    const listed = (await api('/api/stats/periods', { cookie })).body.periods;
    expect(listed.filter((p: { label: string; from: string; to: string }) => p.label === label && p.from === '2016-02-01' && p.to === '2016-02-29')).toHaveLength(1);
    await item.getByRole('button').click();
    await page.waitForURL((url) => url.searchParams.get('from') === '2016-02-01' && url.searchParams.get('to') === '2016-02-29');
    const note = page.getByTestId('frozen');
    await note.waitFor(POLL);
    expect(await note.textContent()).toMatch(/Période close le .+ par Chargée de mission GUP/);
    // the live figures beside the frozen ones, as the API gives them
    const answer = (await api('/api/stats?from=2016-02-01&to=2016-02-29&live=true', { cookie })).body;
    expect(answer.frozen).toBe(true);
    const received = page.getByTestId('live-beside').locator('tr[data-key="received"]');
    await received.waitFor(POLL);
    expect(asInteger(await received.getByTestId('frozen-value').textContent())).toBe(answer.totals.received);
    expect(asInteger(await received.getByTestId('live-value').textContent())).toBe(answer.live.totals.received);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('when the officer picks a commune in « Bilan annuel » and downloads the PDF, then pdftotext finds the commune and the API\'s received count', async () => {
    const page = await people.signIn(OFFICER);
    await page.goto('/tableau-de-bord');
    const section = page.getByTestId('bilan-section');
    await section.waitFor(POLL);
    const year = new Date().getFullYear();
    expect(await section.getByLabel('Année').inputValue()).toBe(String(year));
    await section.getByLabel('Commune du bilan').selectOption({ label: 'Athis-Mons' });
    expect(await section.getByRole('link', { name: 'Voir le bilan' }).getAttribute('href')).toBe(`/api/bilans/${year}?commune=91027`);
    expect(await section.getByRole('link', { name: 'Données CSV' }).getAttribute('href')).toBe(`/api/bilans/${year}.csv?commune=91027`);
    const [pdf] = await Promise.all([page.waitForEvent('download'), section.getByRole('link', { name: 'Télécharger le PDF' }).click()]);
    const text = execFileSync('pdftotext', ['-layout', (await pdf.path())!, '-']).toString('utf8');
    const cookie = await login(OFFICER);
    const expected = (await api(`/api/bilans/${year}?commune=91027`, { cookie })).body;
    expect(expected.totals.received).toBeGreaterThan(0);
    expect(text).toContain(`Bilan annuel ${year} — Athis-Mons`);
    expect(text).toMatch(new RegExp(`Signalements reçus : ${expected.totals.received}\\b`));
  });

  it('when the Athis-Mons user opens the dashboard by commune, then it sees one row, its commune, and no commune filter', async () => {
    const page = await people.signIn(ATHIS);
    await page.goto('/tableau-de-bord?groupBy=commune');
    await page.getByRole('heading', { level: 1, name: 'Tableau de bord — Athis-Mons' }).waitFor();
    const rows = page.getByTestId('stats-table').locator('tbody tr');
    await expect.poll(() => rows.count(), POLL).toBe(1);
    expect(await rows.first().getAttribute('data-key')).toBe('91027');
    expect(await page.getByLabel('Commune', { exact: true }).count()).toBe(0);
    // the bilan section offers its own commune only
    const section = page.getByTestId('bilan-section');
    expect(await section.getByTestId('bilan-commune').textContent()).toBe('Bilan de la commune : Athis-Mons');
    expect(await section.getByLabel('Commune du bilan').count()).toBe(0);
    expect(await section.getByRole('link', { name: 'Télécharger le PDF' }).getAttribute('href')).toBe(`/api/bilans/${new Date().getFullYear()}.pdf?commune=91027`);
  });
});

describe('work lists', { timeout: 60_000 }, () => {
  it('when the OPH agent signs in, then it lands on its queue with its counts, and the map is one click away', async () => {
    const page = await people.signIn(OPH_AGENT);
    expect(new URL(page.url()).pathname).toBe('/signalements');
    await page.getByRole('heading', { name: /^File du service/ }).waitFor();
    const cookie = await login(OPH_AGENT);
    const counts = (await api('/api/reports/counts', { cookie })).body;
    const shown = page.getByTestId('report-counts');
    await shown.waitFor();
    expect(await shown.getAttribute('data-open')).toBe(String(counts.open));
    expect(await shown.getAttribute('data-overdue')).toBe(String(counts.overdue));
    expect(await page.getByTestId('list-order').inputValue()).toBe('priority');
    await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Carte' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await waitForMapIdle(page);
  });

  it('when the officer opens the reports list, then the overdue reports come first, the most late first', async () => {
    const page = await people.signIn(OFFICER);
    await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Signalements' }).click();
    await page.getByTestId('reports-table').waitFor();
    const cookie = await login(OFFICER);
    const expected = (await api('/api/reports?sort=priority&limit=5', { cookie })).body.reports.map((r: { reference: string }) => r.reference);
    const shown = await page.getByTestId('reports-table').locator('tbody tr').evaluateAll((trs) => trs.slice(0, 5).map((tr) => tr.getAttribute('data-reference')));
    expect(shown).toEqual(expected);
    expect(await page.getByTestId('reports-table').locator('tbody tr').first().locator('.overdue').count()).toBe(1);
  });
});
