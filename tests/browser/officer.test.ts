/**
 * Journey of a GUP officer on the map: log in, ask "who manages here?" by clicking a parcel of the
 * Noyer Renard QPV, find another parcel by its identifier, and get the same view back after a reload.
 * Needs the built client (`npm run build -w @gup/client`; the root `npm test` does it).
 * Set GUP_SCREENSHOT=docs/screenshot.png to also save the README screenshot.
 */
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../support/context.js';
import { api, login } from '../support/http.js';
import { clickMapAt, clientBuilt, launchBrowser, loginThroughForm, newContext, viewFromUrl, waitForMapIdle, waitForMapReady } from './support.js';

const OFFICER = 'gup@demo.gup';
/** A landlord's parcel inside the Noyer Renard QPV (Athis-Mons), and a jointly owned one nearby. */
const QPV_PARCEL = '91027000AC0150';
const JOINT_PARCEL = '91027000AC0208';

interface SearchHit { id: string; label: string; point: [number, number]; bbox: [number, number, number, number] }

let browser: Browser;
let context: BrowserContext;
let page: Page;
let cookie: string;

async function findParcel(id: string): Promise<SearchHit> {
  const res = await api<{ results: SearchHit[] }>(`/api/search?q=${id}`, { cookie });
  const hit = res.body.results.find((r) => r.id === id);
  if (!hit) throw new Error(`parcel ${id} not found by the search API`);
  return hit;
}

/** True when both coordinates of `a` are within `tolerance` degrees of `b`. */
const near = (a: [number, number] | null, b: [number, number], tolerance: number) =>
  a !== null && Math.abs(a[0] - b[0]) <= tolerance && Math.abs(a[1] - b[1]) <= tolerance;

/** The machine may be busy rendering with SwiftShader: give UI changes time. */
const POLL = { timeout: 10_000, interval: 100 };

/** Text of an element, '' while it is not there (never blocks a poll). */
const textOf = (locator: Locator) => locator.textContent({ timeout: 250 }).then((t) => t ?? '', () => '');

const panel = () => page.getByTestId('lookup-panel');
const searchBox = () => page.getByRole('combobox', { name: 'Rechercher une parcelle, une commune ou un quartier' });

beforeAll(async () => {
  if (!clientBuilt()) throw new Error('client/dist is missing: run `npm run build -w @gup/client` before the browser tests');
  const { baseUrl } = await testContext();
  cookie = await login(OFFICER);
  browser = await launchBrowser();
  context = await newContext(browser, baseUrl);
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
});

// Generous per-test timeout: SwiftShader rendering competes for the CPU with everything else on CI machines.
describe('GUP officer on the map', { timeout: 60_000 }, () => {
  it('when someone opens the map without a session, then they land on the login form, and a wrong password is explained in French', async () => {
    await page.goto('/?c=2.36,48.703&z=16');
    await page.waitForURL((url) => url.pathname === '/login');
    await page.getByLabel('Adresse e-mail').fill(OFFICER);
    await page.getByLabel('Mot de passe').fill('mauvais-mot-de-passe');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await expect.poll(() => textOf(page.getByRole('alert')), POLL).toContain('Adresse e-mail ou mot de passe incorrect');
  });

  it('when the officer logs in, then the map shows the whole territory with the actors\' land, their name and role', async () => {
    const overviewTile = page.waitForResponse((r) => /\/api\/tiles\/parcels\/1[123]\/\d+\/\d+\.mvt$/.test(r.url()) && r.status() === 200, { timeout: 30_000 });
    await loginThroughForm(page, OFFICER);
    await waitForMapReady(page);
    expect((await (await overviewTile).body()).length).toBeGreaterThan(1000);
    expect(await page.locator('canvas.maplibregl-canvas').count()).toBe(1);
    await expect.poll(() => textOf(page.getByTestId('user-name')), POLL).toBeTruthy();
    // the name says "Chargée de mission GUP"; the role label beside it is not a second, masculine "Chargé de…"
    expect(await page.locator('.header__role').textContent()).toBe('Mission GUP');
    expect(await page.locator('header').textContent()).not.toContain('Chargé de mission GUP');
    expect(await page.locator('.maplibregl-ctrl-attrib').textContent()).toContain('Cadastre © DGFiP / Etalab');
  });

  it('when the officer opens a neighbourhood at zoom 16, then the map loads its parcels as vector tiles', async () => {
    const parcelsTile = page.waitForResponse((r) => /\/api\/tiles\/parcels\/16\/\d+\/\d+\.mvt$/.test(r.url()) && r.status() === 200, { timeout: 30_000 });
    await page.goto('/?c=2.36,48.703&z=16');
    await waitForMapReady(page);
    const tile = await parcelsTile;
    expect(tile.headers()['content-type']).toBe('application/vnd.mapbox-vector-tile');
    expect(tile.headers().etag).toMatch(/^"[\w-]+"$/);
    expect((await tile.body()).length).toBeGreaterThan(1000);
  });

  it('when the officer clicks a parcel of the Noyer Renard QPV, then the panel names its owner and, per theme, the service with its reason', async () => {
    const parcel = await findParcel(QPV_PARCEL);
    const expected = (await api(`/api/lookup?lon=${parcel.point[0]}&lat=${parcel.point[1]}`, { cookie })).body;
    expect(expected.qpv.code).toBe('QP091028');

    // Go to the QPV the way a person would: through the search.
    await searchBox().fill('Noyer Renard');
    const qpv = (await api(`/api/search?q=QP091028`, { cookie })).body.results[0];
    await page.getByRole('option', { name: /Le Noyer Renard/ }).waitFor();
    await page.keyboard.press('Enter');
    await expect.poll(() => near(viewFromUrl(page).center, qpv.point, 0.005), POLL).toBe(true);
    await page.keyboard.press('Escape'); // the search opened the panel at the QPV: close it
    await panel().waitFor({ state: 'detached' });

    await clickMapAt(page, parcel.point[0], parcel.point[1]);
    await panel().getByTestId('services').waitFor();
    expect(viewFromUrl(page).zoom).toBeGreaterThanOrEqual(15); // parcels are drawn at this zoom
    expect(await panel().getByTestId('parcel-label').textContent()).toContain(parcel.label);
    expect(await panel().getByTestId('qpv').textContent()).toContain('Le Noyer Renard');
    const owners = await panel().getByTestId('owners').textContent();
    expect(owners).toContain(expected.owners[0].organisation?.name ?? expected.owners[0].name);
    const services = panel().getByTestId('services');
    for (const row of expected.services) {
      const item = services.locator(`[data-theme="${row.theme.code}"]`);
      expect(await item.textContent()).toContain(row.service.name);
      expect(await item.textContent()).toContain(row.reason);
    }
    // The URL is written 300 ms after a change: wait for the clicked spot (one pixel is ~1.5 m here).
    await expect.poll(() => near(viewFromUrl(page).sel, parcel.point, 1e-4), POLL).toBe(true);

    if (process.env.GUP_SCREENSHOT) {
      await waitForMapIdle(page);
      await page.screenshot({ path: process.env.GUP_SCREENSHOT });
    }
  });

  it('when the officer searches a parcel identifier, then the map goes there and the panel shows that parcel', async () => {
    const parcel = await findParcel(JOINT_PARCEL);
    const before = viewFromUrl(page).center;

    await searchBox().fill(JOINT_PARCEL);
    await page.getByRole('option', { name: new RegExp(parcel.label) }).waitFor();
    await page.keyboard.press('Enter');

    await expect.poll(() => textOf(panel().getByTestId('parcel-id')), POLL).toContain(JOINT_PARCEL);
    await expect.poll(() => viewFromUrl(page).center, POLL).not.toEqual(before);
    const { center, zoom } = viewFromUrl(page);
    const [w, s, e, n] = parcel.bbox;
    expect(center![0]).toBeGreaterThan(w - 0.005);
    expect(center![0]).toBeLessThan(e + 0.005);
    expect(center![1]).toBeGreaterThan(s - 0.005);
    expect(center![1]).toBeLessThan(n + 0.005);
    expect(zoom).toBeGreaterThanOrEqual(16);
    expect(await panel().getByText('chef de file', { exact: true }).count()).toBe(1); // joint ownership: one lead
  });

  it('when the page is reloaded, then the centre, zoom and selected parcel are kept', async () => {
    const parcel = await findParcel(JOINT_PARCEL);
    await expect.poll(() => near(viewFromUrl(page).sel, parcel.point, 1e-6), POLL).toBe(true);
    const before = viewFromUrl(page);
    await page.reload();
    await waitForMapReady(page);
    await expect.poll(() => textOf(panel().getByTestId('parcel-id')), POLL).toContain(JOINT_PARCEL);
    const after = viewFromUrl(page);
    expect(after).toEqual(before);

    // The map really is centred there (not only the URL).
    const { x, y } = await page.evaluate(([lon, lat]) => window.__gup!.project(lon!, lat!), before.center!);
    const box = (await page.locator('.map-canvas').boundingBox())!;
    expect(Math.abs(x - (box.x + box.width / 2))).toBeLessThan(2);
    expect(Math.abs(y - (box.y + box.height / 2))).toBeLessThan(2);
  });

  it('when the officer presses Escape, then the panel closes and the selection leaves the URL', async () => {
    await panel().waitFor();
    await page.keyboard.press('Escape');
    await panel().waitFor({ state: 'detached' });
    await expect.poll(() => viewFromUrl(page).sel, POLL).toBeNull();
  });

  it('when a keyboard user focuses the map and presses Enter, then the spot at the centre of the map is looked up', async () => {
    const { center } = viewFromUrl(page);
    await page.locator('.maplibregl-canvas').focus();
    await page.keyboard.press('Enter');
    await panel().waitFor();
    await expect.poll(() => near(viewFromUrl(page).sel, center!, 1e-4), POLL).toBe(true);
    await expect.poll(() => panel().getByTestId('services').count(), POLL).toBe(1);
  });

  it('when the officer signs out, then the login form shows and the old session no longer opens the map', async () => {
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.getByRole('button', { name: 'Se connecter' }).waitFor();
    await page.goto('/?c=2.36,48.703&z=16');
    await page.getByRole('button', { name: 'Se connecter' }).waitFor();
    const me = await page.evaluate(async () => (await fetch('/api/auth/me')).status);
    expect(me).toBe(401);
  });
});
