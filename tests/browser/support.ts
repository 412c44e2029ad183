/**
 * Browser journeys: Debian's Chromium driven by playwright-core (no browser download), WebGL through
 * SwiftShader so MapLibre renders headless, and every request leaving the test server aborted
 * (no basemap, no CDN: the app must not depend on them).
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { paths } from '../../server/src/config.js';
import { testContext } from '../support/context.js';
import { DEMO_PASSWORD } from '../support/http.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--no-sandbox',
  '--disable-gpu-sandbox',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--use-gl=angle',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--ignore-gpu-blocklist',
];

/** True when the built client exists (the root `npm test` builds it first). */
export function clientBuilt(): boolean {
  return fs.existsSync(path.join(paths.repoRoot, 'client', 'dist', 'index.html'));
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ARGS });
}

/** A fresh context (no cookies) whose requests outside `baseUrl` are aborted at once; `options` override the defaults (a phone's viewport…). */
export async function newContext(browser: Browser, baseUrl: string, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: { width: 1280, height: 800 },
    locale: 'fr-FR',
    reducedMotion: 'reduce', // camera moves jump instead of flying: faster, deterministic
    ...options,
  });
  const origin = new URL(baseUrl).origin;
  await context.route(
    (url) => url.origin !== origin && url.protocol !== 'blob:' && url.protocol !== 'data:',
    (route) => route.abort('internetdisconnected'),
  );
  return context;
}

/** Logs in through the login form, like a person, and waits for the landing page: the map, or a service agent's queue. */
export async function loginThroughForm(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL((url) => url.pathname === '/' || url.pathname === '/signalements');
}

/** The people of a test file, each in a fresh browser context (no cookies) signed in through the form; `close` ends them all. */
export interface People {
  browser: Browser;
  signIn(email: string, options?: BrowserContextOptions): Promise<Page>;
  close(): Promise<void>;
}

/** Checks the client is built and starts Chromium for a file's people (in `beforeAll`; `close` in `afterAll`). */
export async function startPeople(): Promise<People> {
  if (!clientBuilt()) throw new Error('client/dist is missing: run `npm run build` before the browser tests');
  const browser = await launchBrowser();
  const contexts: BrowserContext[] = [];
  return {
    browser,
    async signIn(email, options = {}) {
      const { baseUrl } = await testContext();
      const context = await newContext(browser, baseUrl, options);
      contexts.push(context);
      const page = await context.newPage();
      await loginThroughForm(page, email);
      return page;
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
    },
  };
}

/** Waits until the map's style is loaded (the test hook is installed then): enough to project and click. */
export async function waitForMapReady(page: Page, timeout = 20_000): Promise<void> {
  await page.waitForFunction(() => window.__gup !== undefined, undefined, { timeout });
}

/** Waits until the map is loaded and idle (every tile drawn, camera still), e.g. before a screenshot. */
export async function waitForMapIdle(page: Page, timeout = 30_000): Promise<void> {
  await waitForMapReady(page, timeout);
  await page.locator('.map-canvas[data-idle="true"]').waitFor({ timeout });
}

/** Clicks the map at a coordinate, through the read-only `window.__gup.project` hook. */
export async function clickMapAt(page: Page, lon: number, lat: number): Promise<void> {
  const { x, y } = await page.evaluate(([lo, la]) => window.__gup!.project(lo!, la!), [lon, lat]);
  const target = await page.evaluate(([px, py]) => document.elementFromPoint(px!, py!)?.className ?? '', [x, y]);
  if (!String(target).includes('maplibregl-canvas')) throw new Error(`(${lon}, ${lat}) is hidden under "${target}" on screen`);
  await page.mouse.click(x, y);
}

/** Clicks the map like a person drawing (terra-draw): one click per vertex, then on the first vertex to close the ring. */
export async function drawRingOnMap(page: Page, points: readonly (readonly number[])[]): Promise<void> {
  for (const p of [...points, points[0]!]) {
    await clickMapAt(page, p[0]!, p[1]!);
    await page.waitForTimeout(120); // two clicks too close in time would be a double click
  }
}

/** The `c`, `z` and `sel` query parameters of the page's URL, parsed. */
export function viewFromUrl(page: Page): { center: [number, number] | null; zoom: number | null; sel: [number, number] | null } {
  const url = new URL(page.url());
  const pair = (v: string | null) => (v ? (v.split(',').map(Number) as [number, number]) : null);
  const z = url.searchParams.get('z');
  return { center: pair(url.searchParams.get('c')), zoom: z === null ? null : Number(z), sel: pair(url.searchParams.get('sel')) };
}

declare global {
  interface Window {
    /** Read-only test hook installed by the client (client/src/map/testHook.ts). */
    __gup?: { project(lon: number, lat: number): { x: number; y: number } };
  }
}

/** A phone held in one hand: the viewport of the issues' reference phone (390×844), touch, mobile. */
export const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

/** axe-core's violations on the page (WCAG 2.x A/AA rules); the script is injected outside the page's CSP. */
export async function axeViolations(page: Page): Promise<{ id: string; impact: string | null; nodes: { target: unknown[]; failureSummary?: string }[] }[]> {
  const source = fs.readFileSync(path.join(paths.repoRoot, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  await page.evaluate(`${source}\n;undefined`);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ violations: { id: string; impact: string | null; nodes: { target: unknown[]; failureSummary?: string }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
}

/**
 * How far the page scrolls sideways (≤ 0: not at all): the document beyond the viewport, or any element that scrolls
 * horizontally (the pages' main region, a table's wrapper) beyond its own width.
 */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    let worst = document.documentElement.scrollWidth - window.innerWidth;
    for (const el of document.querySelectorAll('body *')) {
      const x = getComputedStyle(el).overflowX;
      if (x === 'auto' || x === 'scroll') worst = Math.max(worst, el.scrollWidth - el.clientWidth);
    }
    return worst;
  });
}
