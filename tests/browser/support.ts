/**
 * Browser journeys: Debian's Chromium driven by playwright-core (no browser download), WebGL through
 * SwiftShader so MapLibre renders headless, and every request leaving the test server aborted
 * (no basemap, no CDN: the app must not depend on them).
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { paths } from '../../server/src/config.js';
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

/** A fresh context (no cookies) whose requests outside `baseUrl` are aborted at once. */
export async function newContext(browser: Browser, baseUrl: string): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: { width: 1280, height: 800 },
    locale: 'fr-FR',
    reducedMotion: 'reduce', // camera moves jump instead of flying: faster, deterministic
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
