/**
 * The HTTP surface's security in a real Chromium (issue 11 §2): the app runs under its Content-Security-Policy without a
 * single violation, and a page on another port of the same host cannot file a report with a signed-in commune user's
 * cookie (same-site: SameSite=Lax sends the cookie there). Needs the built client (`npm run build`).
 */
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../support/context.js';
import { DEMO, pointIn } from '../support/geo.js';
import { reportTablesCount } from '../support/reports.js';
import { clientBuilt, launchBrowser, loginThroughForm, waitForMapIdle } from './support.js';

declare global {
  interface Window { __cspViolations?: string[] }
}

let browser: Browser;
let context: BrowserContext;
let page: Page;
let attacker: Server;
let attackerUrl: string;
let base: string;

beforeAll(async () => {
  if (!clientBuilt()) throw new Error('client/dist is missing: run `npm run build` first');
  ({ baseUrl: base } = await testContext());
  const [lon, lat] = await pointIn(DEMO.landlordOph);
  // the attacker: a page on another port of the same host that posts a multipart form to GUP as soon as it loads
  attacker = await new Promise<Server>((resolve) => {
    const s = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html><body>
        <form id="f" method="POST" action="${base}/api/reports" enctype="multipart/form-data">
          <input name="category" value="depot_sauvage"><input name="description" value="Signalement forgé depuis un autre port">
          <input name="lon" value="${lon}"><input name="lat" value="${lat}">
        </form><script>document.getElementById('f').submit()</script></body></html>`);
    }).listen(0, '127.0.0.1', () => resolve(s));
  });
  attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`;
  browser = await launchBrowser();
  context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 800 }, locale: 'fr-FR', reducedMotion: 'reduce' });
  // nothing leaves the two local servers (no basemap, no CDN)
  const allowed = new Set([new URL(base).origin, new URL(attackerUrl).origin]);
  await context.route((url) => !allowed.has(url.origin) && url.protocol !== 'blob:' && url.protocol !== 'data:', (route) => route.abort('internetdisconnected'));
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations!.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  page = await context.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (attacker ? attacker.close(() => resolve()) : resolve()));
});

describe('security in the browser', () => {
  it('when a commune user signs in and the map loads, then the Content-Security-Policy is never violated', async () => {
    await loginThroughForm(page, 'mairie.athis@demo.gup');
    await waitForMapIdle(page, 60_000);
    expect(await page.evaluate(() => window.__cspViolations)).toEqual([]);
  }, 120_000);

  it('when the signed-in user opens a page on another port of the same host that posts a report form, then GUP answers 403 and stores nothing', async () => {
    const before = await reportTablesCount();
    const answer = page.waitForResponse((r) => r.url() === `${base}/api/reports` && r.request().method() === 'POST');
    await page.goto(attackerUrl);
    const res = await answer;
    expect(res.request().headers().cookie ?? (await res.request().allHeaders()).cookie).toMatch(/gup_session=/); // the cookie went along
    expect(res.status()).toBe(403);
    expect(await reportTablesCount()).toEqual(before);
  }, 60_000);
});
