/**
 * Every page of the client at 1440×900 (a common office screen; the other tests run axe-core at 1280 and 390 px), for
 * each role that reaches it, with no axe-core violation (WCAG 2.1 A/AA). Needs the built client (`npm run build`).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../support/context.js';
import { DEMO, pointIn } from '../support/geo.js';
import { api, login } from '../support/http.js';
import { postReport, reportBody } from '../support/reports.js';
import { axeViolations, clientBuilt, launchBrowser, loginThroughForm, newContext } from './support.js';

const SCREEN = { width: 1440, height: 900 };
const ACCOUNTS = {
  officer: 'gup@demo.gup',
  commune: 'mairie.athis@demo.gup',
  planner: 'urbaniste@demo.gup',
  service: 'oph@demo.gup',
  admin: 'admin@demo.gup',
} as const;
type Who = keyof typeof ACCOUNTS | 'anonymous';
const SIGNED_IN: Who[] = ['officer', 'commune', 'planner', 'service', 'admin'];

let browser: Browser;
const pages = new Map<Who, { context: BrowserContext; page: Page }>();
let reportId = 0;
let sessionId = 0;

beforeAll(async () => {
  if (!clientBuilt()) throw new Error('client/dist is missing: run `npm run build` before the browser tests');
  const athis = await login(ACCOUNTS.commune);
  const [lon, lat] = await pointIn(DEMO.landlordOph);
  reportId = (await postReport(athis, reportBody(lon, lat))).body.id;
  sessionId = (await api('/api/diagnostics', {
    cookie: athis,
    body: { title: 'Diagnostic à 1440 px', commune: '91027', heldOn: '2026-11-20', geometry: { type: 'LineString', coordinates: [[lon - 0.001, lat], [lon + 0.001, lat]] } },
  })).body.id;
  const { baseUrl } = await testContext();
  browser = await launchBrowser();
  for (const who of [...SIGNED_IN, 'anonymous'] as Who[]) {
    const context = await newContext(browser, baseUrl, { viewport: SCREEN });
    const page = await context.newPage();
    if (who !== 'anonymous') await loginThroughForm(page, ACCOUNTS[who]);
    pages.set(who, { context, page });
  }
}, 120_000);

afterAll(async () => {
  for (const { context } of pages.values()) await context.close();
  await browser?.close();
});

/** Each route of the client (router.ts, views/admin/routes.ts) and who reaches it. */
const ROUTES: { name: string; path: () => string; who: Who[] }[] = [
  { name: 'the map', path: () => '/', who: SIGNED_IN },
  { name: 'the reports list', path: () => '/signalements', who: SIGNED_IN },
  { name: 'a report', path: () => `/signalements/${reportId}`, who: ['officer', 'commune', 'planner', 'admin'] },
  { name: 'the dashboard', path: () => '/tableau-de-bord', who: SIGNED_IN },
  { name: 'the access tokens', path: () => '/jetons', who: SIGNED_IN },
  { name: 'the diagnoses', path: () => '/diagnostics', who: SIGNED_IN },
  { name: 'a diagnosis', path: () => `/diagnostics/${sessionId}`, who: ['officer', 'commune', 'planner', 'admin'] },
  { name: 'the field capture', path: () => `/diagnostics/${sessionId}/terrain`, who: ['officer', 'commune', 'admin'] },
  { name: 'the action plan', path: () => '/plan-actions', who: SIGNED_IN },
  { name: 'the directory', path: () => '/annuaire', who: SIGNED_IN },
  { name: 'the information page', path: () => '/informations', who: SIGNED_IN },
  ...['comptes', 'configuration', 'imports', 'open311', 'envois', 'journal'].map((s) => ({ name: `the administration's ${s}`, path: () => `/admin/${s}`, who: ['admin'] as Who[] })),
  { name: 'the login page', path: () => '/login', who: ['anonymous'] },
  { name: 'the password page', path: () => '/mot-de-passe#jeton=x', who: ['anonymous'] },
];

describe('every page at 1440×900', { timeout: 60_000 }, () => {
  for (const route of ROUTES) {
    for (const who of route.who) {
      it(`when ${who === 'anonymous' ? 'an anonymous visitor' : `the ${who}`} opens ${route.name} at 1440 px, then axe-core finds no violation`, async () => {
        const { page } = pages.get(who)!;
        await page.goto(route.path());
        await page.locator('h1').first().waitFor({ state: 'attached' });
        await page.waitForLoadState('networkidle').catch(() => undefined);
        expect(page.viewportSize()).toEqual(SCREEN);
        const violations = await axeViolations(page);
        expect(violations.map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`)).toEqual([]);
      });
    }
  }
});
