/**
 * The whole app on a phone (issue 13, item 7), 390×844 in Chromium: no page scrolls sideways, the sign-out button is on
 * screen and the search box is usable (it used to be 26 px wide with sign-out off screen). Needs the built client.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../support/context.js';
import { DEMO, pointIn } from '../support/geo.js';
import { api, login } from '../support/http.js';
import { postReport, reportBody } from '../support/reports.js';
import { clientBuilt, horizontalOverflow, launchBrowser, loginThroughForm, newContext, PHONE } from './support.js';

let browser: Browser;
let context: BrowserContext;
let page: Page;
let reportId = 0;
let sessionId = 0;

beforeAll(async () => {
  if (!clientBuilt()) throw new Error('client/dist is missing: run `npm run build` before the browser tests');
  const athis = await login('mairie.athis@demo.gup');
  const [lon, lat] = await pointIn(DEMO.landlordOph);
  const report = await postReport(athis, reportBody(lon, lat, { description: 'Un très long texte sans espaces pour éprouver la mise en page : ' + 'encombrants'.repeat(12) }));
  reportId = report.body.id;
  const session = await api('/api/diagnostics', {
    cookie: athis,
    body: { title: 'Diagnostic mise en page téléphone', commune: '91027', heldOn: '2026-11-20', geometry: { type: 'LineString', coordinates: [[lon - 0.001, lat], [lon + 0.001, lat]] } },
  });
  sessionId = session.body.id;
  browser = await launchBrowser();
  const { baseUrl } = await testContext();
  context = await newContext(browser, baseUrl, PHONE);
  page = await context.newPage();
  await loginThroughForm(page, 'mairie.athis@demo.gup');
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

describe('every page at 390×844', { timeout: 60_000 }, () => {
  const pages: [string, () => string, string][] = [ // name, path, text (or CSS selector, `css=…`) shown once loaded
    ['the map', () => '/', 'css=.maplibregl-canvas'],
    ['the reports list', () => '/signalements', 'Signalements'],
    ['a report', () => `/signalements/${reportId}`, 'GUP-'],
    ['the diagnoses', () => '/diagnostics', 'Diagnostics en marchant'],
    ['a diagnosis (triage)', () => `/diagnostics/${sessionId}`, 'Diagnostic mise en page téléphone'],
    ['the field capture', () => `/diagnostics/${sessionId}/terrain`, 'Diagnostic mise en page téléphone'],
    ['the action plan', () => '/plan-actions', 'Plan d’actions'],
  ];
  for (const [name, path, text] of pages) {
    it(`when ${name} is opened on a phone, then nothing scrolls sideways`, async () => {
      await page.goto(path());
      await (text.startsWith('css=') ? page.locator(text.slice(4)) : page.getByText(text)).first().waitFor({ state: 'attached' });
      await page.waitForLoadState('networkidle').catch(() => undefined);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      const signOut = page.getByRole('button', { name: 'Se déconnecter' });
      if (!path().endsWith('/terrain')) {
        const box = await signOut.boundingBox();
        expect(box, 'sign-out button').not.toBeNull();
        expect(box!.x).toBeGreaterThanOrEqual(0);
        expect(box!.x + box!.width).toBeLessThanOrEqual(390);
        const search = await page.getByRole('combobox', { name: /Rechercher/ }).boundingBox();
        expect(search!.width).toBeGreaterThan(250);
      }
    });
  }
});
