/**
 * The annual review's HTML page in a real Chromium (issue 12 item 7): axe-core reports no violation (WCAG 2.1 A/AA), on
 * a desktop and at 390 px, and the page does not scroll sideways. The page is server-rendered: no client build needed.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../support/context.js';
import { api, login } from '../support/http.js';
import { axeViolations, launchBrowser, newContext, PHONE } from './support.js';

let browser: Browser;
let base: string;
let cookie: string;

beforeAll(async () => {
  ({ baseUrl: base } = await testContext());
  cookie = await login('mairie.juvisy@demo.gup');
  const put = await api(`/api/bilans/${new Date().getUTCFullYear() - 1}/communes/91326/text`, { method: 'PUT', cookie, body: { text: 'Une année de travail partagé.\n\nDeuxième paragraphe.' } });
  expect(put.status).toBe(200);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

describe('Bilan page in a browser', () => {
  for (const [name, options] of [['desktop', {}], ['phone (390 px)', PHONE]] as const) {
    it(`when a commune user opens last year's bilan on a ${name}, then the French page has no axe-core violation and no sideways scroll`, async () => {
      const context = await newContext(browser, base, options);
      await context.setExtraHTTPHeaders({ cookie });
      const page = await context.newPage();
      const year = new Date().getUTCFullYear() - 1;
      const res = await page.goto(`/api/bilans/${year}`);
      expect(res?.status()).toBe(200);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(`Bilan ${year} — Juvisy-sur-Orge`);
      expect(await page.getByText('Brouillon non validé').count()).toBe(1);
      expect(await axeViolations(page)).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
      await context.close();
    });
  }
});
