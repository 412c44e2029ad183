/**
 * Walking diagnosis journey (issue 13) on a phone (390×844) in Chromium: the Athis-Mons referent prepares a session for
 * the field, goes offline, captures three observations (one with a photo), closes and reopens the page offline (all
 * still there, still pending), goes online (each synced exactly once). A GUP officer captures from another phone; both
 * appear in triage; two observations become reports routed like any report; the minutes PDF downloads. axe-core finds
 * no violation on the field, triage and action-plan pages.
 * Needs the built client (`npm run build`).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../support/context.js';
import { DEMO, pointIn } from '../support/geo.js';
import { api, login } from '../support/http.js';
import { axeViolations, clientBuilt, launchBrowser, loginThroughForm, newContext, PHONE } from './support.js';

let browser: Browser;
const contexts: BrowserContext[] = [];
let sessionId = 0;
let spot: [number, number];
const TITLE = `Diagnostic terrain navigateur ${Date.now()}`;

async function phone(email: string, geolocation: [number, number]): Promise<{ context: BrowserContext; page: Page }> {
  const { baseUrl } = await testContext();
  const context = await newContext(browser, baseUrl, { ...PHONE, geolocation: { longitude: geolocation[0], latitude: geolocation[1] }, permissions: ['geolocation'] });
  contexts.push(context);
  const page = await context.newPage();
  await loginThroughForm(page, email);
  return { context, page };
}

/** Captures one observation on the field page: GPS position, criterion, text, optional photo, save. */
async function capture(page: Page, criterion: string, text: string, photo?: Buffer) {
  await page.getByRole('button', { name: 'Me localiser (GPS)' }).click();
  await expect.poll(() => page.getByTestId('spot').textContent()).toContain('Position');
  await page.getByLabel('Critère').selectOption({ label: criterion });
  await page.getByLabel('Observation', { exact: true }).fill(text);
  if (photo) await page.getByLabel(/^Photos/).setInputFiles({ name: 'terrain.jpg', mimeType: 'image/jpeg', buffer: photo });
  await page.getByTestId('save-observation').click();
  await page.getByText('Observation enregistrée sur l’appareil.').waitFor();
}

const pending = (page: Page) => page.getByTestId('pending-count').locator('..').getAttribute('data-pending');

async function observationRows() {
  const { db } = await testContext();
  return db.knex('diagnostic_observations').where({ diagnostic_id: sessionId }).select('uuid', 'text', 'author_id');
}

beforeAll(async () => {
  if (!clientBuilt()) throw new Error('client/dist is missing: run `npm run build` before the browser tests');
  spot = await pointIn(DEMO.landlordOph);
  const athis = await login('mairie.athis@demo.gup');
  const [x, y] = spot;
  const res = await api('/api/diagnostics', {
    cookie: athis,
    body: {
      title: TITLE, commune: '91027', qpv: 'QP091028', heldOn: new Date().toISOString().slice(0, 10), slot: '14 h – 16 h',
      geometry: { type: 'LineString', coordinates: [[x - 0.0015, y - 0.0005], [x, y], [x + 0.0015, y + 0.0005]] },
      participants: [{ name: 'Mme Diallo', organisation: 'Amicale des locataires', kind: 'habitant' }],
    },
  });
  if (res.status !== 201) throw new Error(`session: ${res.status} ${JSON.stringify(res.body)}`);
  sessionId = res.body.id;
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
});

describe('walking diagnosis on a phone, offline', { timeout: 180_000 }, () => {
  it('when the referent prepares the session, captures three observations offline (one with a photo), reopens the page offline and goes online, then all three are synced exactly once', async () => {
    const { context, page } = await phone('mairie.athis@demo.gup', spot);
    await page.goto(`/diagnostics/${sessionId}/terrain`);
    await page.getByRole('heading', { name: TITLE }).waitFor();
    await page.getByTestId('prepare').click();
    await expect.poll(() => page.getByTestId('prepared').textContent(), { timeout: 60_000 }).toContain('Prêt pour le terrain');
    // the service worker holding the app is active (a page opened from now on is served by it)
    await expect.poll(() => page.evaluate(async () => (await navigator.serviceWorker.ready).active?.state), { timeout: 30_000 }).toBe('activated');
    expect(await page.evaluate(async () => (await (await caches.open('gup-tiles')).keys()).length)).toBeGreaterThan(0);

    await context.setOffline(true);
    await expect.poll(() => page.getByText('Hors ligne').isVisible()).toBe(true);
    const photo = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#7a5' } }).jpeg().toBuffer();
    await capture(page, 'Dépôt d\'encombrants', 'Matelas devant le hall B', photo);
    await context.setGeolocation({ longitude: spot[0] + 0.0004, latitude: spot[1] });
    await capture(page, 'Lampadaire éteint ou clignotant', 'Lampadaire éteint allée des Tilleuls');
    await context.setGeolocation({ longitude: spot[0] - 0.0004, latitude: spot[1] + 0.0002 });
    await capture(page, 'Banc, potelet, barrière cassé', 'Banc cassé près du square');
    // three observations and one photo wait on the device (the count follows the save's own IndexedDB round: wait for it)
    await expect.poll(() => pending(page)).toBe('4');
    expect(await page.getByTestId('pending-count').textContent()).toContain('4 éléments en attente d’envoi');
    expect(await observationRows()).toHaveLength(0);

    // close the tab and open the page again, still offline: the app, the session and the queue come from the phone
    await page.close();
    const again = await context.newPage();
    await again.goto(`/diagnostics/${sessionId}/terrain`);
    await again.getByRole('heading', { name: TITLE }).waitFor();
    await expect.poll(() => again.getByTestId('my-observations').locator('li[data-state="pending"]').count()).toBe(3);
    await expect.poll(() => pending(again)).toBe('4');
    expect(await observationRows()).toHaveLength(0);

    await context.setOffline(false);
    await expect.poll(() => pending(again), { timeout: 30_000 }).toBe('0');
    await expect.poll(() => again.getByTestId('my-observations').locator('li[data-state="synced"]').count()).toBe(3);
    const rows = await observationRows();
    expect(rows.map((r: { text: string }) => r.text).sort()).toEqual(['Banc cassé près du square', 'Lampadaire éteint allée des Tilleuls', 'Matelas devant le hall B']);
    expect(new Set(rows.map((r: { uuid: string }) => r.uuid)).size).toBe(3);
    const { db } = await testContext();
    const photos = await db.knex('diagnostic_photos').join('diagnostic_observations as o', 'o.id', 'diagnostic_photos.observation_id').where('o.diagnostic_id', sessionId).count({ n: '*' });
    expect(Number(photos[0]!.n)).toBe(1);
    // a later sync (reconnection, start) sends nothing again
    await again.reload();
    await again.getByRole('heading', { name: TITLE }).waitFor();
    expect(await observationRows()).toHaveLength(3);

    expect(await axeViolations(again)).toEqual([]);
  });

  it('when a GUP officer captures from another phone, then the observation joins the session, and two observations become reports routed like any report; the minutes PDF downloads', async () => {
    const other: [number, number] = [spot[0] + 0.0001, spot[1] - 0.0001];
    const officer = await phone('gup@demo.gup', other);
    await officer.page.goto(`/diagnostics/${sessionId}/terrain`);
    await officer.page.getByRole('heading', { name: TITLE }).waitFor();
    await capture(officer.page, 'Tags, graffitis', 'Tag sur la porte du local vélos');
    await expect.poll(() => pending(officer.page), { timeout: 30_000 }).toBe('0');

    const { page } = await phone('mairie.athis@demo.gup', spot);
    await page.goto(`/diagnostics/${sessionId}`);
    const list = page.getByTestId('observations');
    await expect.poll(() => list.locator('li').count()).toBe(4);
    expect(await list.textContent()).toContain('Tag sur la porte du local vélos');
    expect(await list.textContent()).toContain('Chargée de mission GUP');

    const item = (text: string) => list.locator('li', { hasText: text });
    await item('Matelas devant le hall B').getByRole('checkbox').check();
    await item('Tag sur la porte du local vélos').getByRole('checkbox').check();
    await page.getByTestId('to-report').click();
    await expect.poll(() => list.locator('li[data-outcome="report"]').count(), { timeout: 30_000 }).toBe(2);
    expect(await page.getByText('2 observations traitées').isVisible()).toBe(true);

    const { db } = await testContext();
    const reports = await db.knex('diagnostic_observations as o').join('reports as r', 'r.id', 'o.report_id')
      .where('o.diagnostic_id', sessionId).select('o.text', 'r.source', 'r.service_code', 'r.category_code', 'r.ack_due_at', 'r.resolve_due_at', db.knex.raw('ST_X(r.geom) AS lon'), db.knex.raw('ST_Y(r.geom) AS lat'));
    expect(reports).toHaveLength(2);
    const athis = await login('mairie.athis@demo.gup');
    for (const r of reports) {
      expect(r.source).toBe('diagnosis');
      const theme = (await api('/api/territory', { cookie: athis })).body.categories.find((c: { code: string }) => c.code === r.category_code).theme;
      const where = await api(`/api/lookup?lon=${r.lon}&lat=${r.lat}&theme=${theme}`, { cookie: athis });
      expect(r.service_code, r.text).toBe(where.body.services[0].service.code);
      expect(new Date(r.resolve_due_at).getTime()).toBeGreaterThan(new Date(r.ack_due_at).getTime());
    }

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('minutes-link').click()]);
    const file = await download.path();
    const text = execFileSync('pdftotext', [file!, '-']).toString('utf8');
    expect(text).toContain(TITLE);
    expect(text).toContain('Matelas devant le hall B');
    expect(fs.statSync(file!).size).toBeGreaterThan(1000);

    expect(await axeViolations(page)).toEqual([]);
    await page.goto('/plan-actions');
    await page.getByRole('heading', { name: 'Plan d’actions' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
  });
});
