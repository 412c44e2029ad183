/**
 * Journeys of issue 14: an officer informs Athis-Mons, the commune acknowledges in its browser; a commune user asks the
 * directory who to call at a spot. axe-core checks the directory and information pages (zero violations), wide and
 * at 390 px; the map's loading message. Needs the built client (`npm run build`).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../support/context.js';
import { api, login } from '../support/http.js';
import { DEMO, pointIn } from '../support/geo.js';
import { clientBuilt, drawRingOnMap, launchBrowser, loginThroughForm, newContext, waitForMapIdle, waitForMapReady } from './support.js';

const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let browser: Browser;
let officer: BrowserContext;
let commune: BrowserContext;

/** axe-core's violations on the page as it is, as "rule: target" lines (empty when none). */
async function axeViolations(page: Page): Promise<string[]> {
  // evaluated through the DevTools protocol: the app's CSP (no inline script) stays as it is
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe;
    return axe.run(document, { resultTypes: ['violations'] });
  });
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
}

async function atBothWidths(page: Page, check: () => Promise<void>) {
  await check();
  await page.setViewportSize({ width: 390, height: 800 });
  await check();
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** A GUP officer's fresh page on `/informations`, the form's kind, title and message filled, the area's kind chosen. */
async function broadcastForm(kind: string, title: string, text: string, areaKind: string): Promise<Page> {
  const op = await (await newContext(browser, (await testContext()).baseUrl)).newPage();
  await loginThroughForm(op, 'gup@demo.gup');
  await op.goto('/informations');
  await op.getByLabel('Type').selectOption(kind);
  await op.getByLabel('Titre').fill(title);
  await op.getByLabel('Message').fill(text);
  await op.getByRole('radio', { name: areaKind }).check();
  return op;
}

/** The communes the Athis-Mons user sees the broadcast addressed to; and that the Juvisy user does not see it. */
async function reachedByAthisNotJuvisy(title: string): Promise<{ communes: string[]; areaKind: string }> {
  const athis = await api('/api/broadcasts', { cookie: await login('mairie.athis@demo.gup') });
  const mine = (athis.body.broadcasts as { title: string; communes: { insee: string }[]; area: { kind: string } }[]).find((b) => b.title === title);
  const juvisy = await api('/api/broadcasts', { cookie: await login('mairie.juvisy@demo.gup') });
  expect((juvisy.body.broadcasts as { title: string }[]).some((b) => b.title === title)).toBe(false);
  return { communes: mine?.communes.map((c) => c.insee) ?? [], areaKind: mine?.area.kind ?? '' };
}

beforeAll(async () => {
  if (!clientBuilt()) throw new Error('client/dist is missing: run `npm run build` before the browser tests');
  const { baseUrl } = await testContext();
  browser = await launchBrowser();
  officer = await newContext(browser, baseUrl);
  commune = await newContext(browser, baseUrl);
});

afterAll(async () => {
  await browser?.close();
});

describe('information to the communes in the browser', () => {
  it('when an officer issues a red alert to Athis-Mons, then the Athis-Mons user sees it, acknowledges it, and the officer sees who has', async () => {
    const title = `Alerte canicule ${Date.now()}`;
    const op = await officer.newPage();
    await loginThroughForm(op, 'gup@demo.gup');
    await op.goto('/informations');
    await op.getByLabel('Type').selectOption('weather_alert');
    await op.getByLabel('Niveau').selectOption('red');
    await op.getByLabel('Titre').fill(title);
    await op.getByLabel('Message').fill('Fermeture des aires de jeux de 12 h à 18 h.');
    await op.getByRole('checkbox', { name: 'Athis-Mons' }).check();
    await op.getByRole('button', { name: 'Diffuser' }).click();
    await op.getByRole('status').filter({ hasText: 'Information diffusée.' }).waitFor();
    const card = op.locator('[data-broadcast]').filter({ hasText: title });
    await card.waitFor();
    expect(await card.textContent()).toContain('Athis-Mons : pas encore accusé');
    await atBothWidths(op, async () => expect(await axeViolations(op)).toEqual([]));

    const cp = await commune.newPage();
    await loginThroughForm(cp, 'mairie.athis@demo.gup');
    // on arrival, the header tells the commune there is news to read and acknowledge
    await cp.getByTestId('broadcasts-count').waitFor();
    expect(await cp.getByTestId('broadcasts-count').textContent()).toMatch(/dont [1-9]\d* à accuser/);
    await cp.getByTestId('nav-broadcasts').click();
    const mine = cp.locator('[data-broadcast]').filter({ hasText: title });
    await mine.getByRole('button', { name: 'Accuser réception' }).click();
    await mine.getByText('Réception accusée').waitFor();
    await atBothWidths(cp, async () => expect(await axeViolations(cp)).toEqual([]));

    await op.reload();
    await op.locator('[data-broadcast]').filter({ hasText: title }).getByText(/Athis-Mons : accusé par Référente GUP Athis-Mons/).waitFor();
  });

  it('when an officer issues a red alert to Athis-Mons, then on sign-in the Athis-Mons user sees an alert banner with its title, dismissible for the session, and a Juvisy user sees none', async () => {
    const title = `Fermeture du gymnase ${Date.now()}`;
    const validTo = new Date(Date.now() + 2 * 86_400_000).toISOString();
    const issued = await api('/api/broadcasts', {
      cookie: await login('gup@demo.gup'),
      body: { kind: 'facility_closure', severity: 'red', title, text: 'Gymnase fermé après un dégât des eaux.', area: { communes: ['91027'] }, validTo },
    });
    expect(issued.status, JSON.stringify(issued.body)).toBe(201);

    const { baseUrl } = await testContext();
    const athis = await (await newContext(browser, baseUrl)).newPage();
    await loginThroughForm(athis, 'mairie.athis@demo.gup');
    const banner = athis.getByTestId('broadcast-banner');
    await banner.filter({ hasText: title }).waitFor();
    expect(await banner.getAttribute('role')).toBe('alert');
    await atBothWidths(athis, async () => expect(await axeViolations(athis)).toEqual([]));
    await banner.getByRole('link', { name: 'Lire et accuser réception' }).click();
    await athis.waitForURL('**/informations');
    await banner.getByRole('button', { name: 'Masquer' }).click();
    await banner.waitFor({ state: 'detached' });
    await athis.reload();
    await athis.getByTestId('broadcasts-count').waitFor();
    expect(await banner.count()).toBe(0);

    const juvisy = await (await newContext(browser, baseUrl)).newPage();
    const listed = juvisy.waitForResponse((r) => r.url().includes('/api/broadcasts?active=true'));
    await loginThroughForm(juvisy, 'mairie.juvisy@demo.gup');
    const seen = (await (await listed).json()) as { broadcasts: { title: string }[] };
    expect(seen.broadcasts.some((b) => b.title === title)).toBe(false);
    expect(await juvisy.getByTestId('broadcast-banner').filter({ hasText: title }).count()).toBe(0);
  });

  it('when an officer addresses a broadcast to a QPV in the form, then it reaches the QPV\'s commune (Athis-Mons) and not Juvisy', async () => {
    const title = `Campement illicite ${Date.now()}`;
    const territory = await api('/api/territory', { cookie: await login('gup@demo.gup') });
    const qpv = (territory.body.qpvs as { code: string; name: string }[]).find((q) => q.code === 'QP091028');
    expect(qpv).toBeDefined();
    const op = await broadcastForm('illegal_encampment', title, 'Installation constatée ce matin près du square.', 'Des quartiers prioritaires (QPV)');
    await op.getByRole('button', { name: 'Diffuser' }).click();
    await op.getByRole('alert').filter({ hasText: 'Choisissez au moins un quartier prioritaire.' }).waitFor();
    await op.getByTestId('bform-qpvs').getByRole('checkbox', { name: qpv!.name }).check();
    await atBothWidths(op, async () => expect(await axeViolations(op)).toEqual([]));
    await op.getByRole('button', { name: 'Diffuser' }).click();
    await op.getByRole('status').filter({ hasText: 'Information diffusée.' }).waitFor();

    expect((await reachedByAthisNotJuvisy(title)).communes).toContain('91027');
  });

  it('when an officer draws the area on the form\'s map, then the broadcast reaches the commune it covers (Athis-Mons) and not Juvisy', async () => {
    const title = `Travaux de voirie ${Date.now()}`;
    // a square inside Athis-Mons, away from any other commune (checked on the database first)
    const [x, y] = await pointIn(DEMO.landlordOph);
    const d = 0.002; // ~220 m north–south, as much east–west
    const dx = d / Math.cos((y * Math.PI) / 180);
    const square = [[x - dx, y - d], [x + dx, y - d], [x + dx, y + d], [x - dx, y + d]];
    const { db } = await testContext();
    const wkt = `POLYGON((${[...square, square[0]!].map((p) => p.join(' ')).join(',')}))`;
    const touched = await db.knex.raw("SELECT insee FROM communes WHERE ST_Intersects(geom, ST_GeomFromText(?, 4326)) ORDER BY insee", [wkt]);
    expect(touched.rows.map((r: { insee: string }) => r.insee)).toEqual(['91027']);

    const op = await broadcastForm('works', title, 'Chaussée fermée rue des Tilleuls du lundi au vendredi.', 'Une zone dessinée sur la carte');
    await op.getByRole('button', { name: 'Diffuser' }).click();
    await op.getByRole('alert').filter({ hasText: 'Dessinez la zone sur la carte' }).waitFor();
    await waitForMapReady(op);
    await op.getByTestId('area-map').scrollIntoViewIfNeeded();
    // with the keyboard, as a person would: arrows bring the square to the middle of the small map, + zooms in on it
    const project = (p: readonly number[]) => op.evaluate(([lo, la]) => window.__gup!.project(lo!, la!), p);
    const box = (await op.getByTestId('area-map').boundingBox())!;
    await op.getByTestId('area-map').locator('canvas').focus();
    for (let i = 0; i < 30; i++) {
      const [c, a, b] = [await project([x, y]), await project(square[0]!), await project(square[2]!)];
      const offX = c.x - (box.x + box.width / 2);
      const offY = c.y - (box.y + box.height / 2);
      if (Math.abs(offX) > 60) await op.keyboard.press(offX > 0 ? 'ArrowRight' : 'ArrowLeft');
      else if (Math.abs(offY) > 60) await op.keyboard.press(offY > 0 ? 'ArrowDown' : 'ArrowUp');
      else if (2 * Math.max(Math.abs(b.x - a.x), Math.abs(b.y - a.y)) < Math.min(box.width, box.height) - 120) await op.keyboard.press('Equal');
      else break;
      await waitForMapIdle(op);
    }
    await drawRingOnMap(op, square);
    await expect.poll(() => op.getByTestId('area-state').textContent()).toContain('Zone prête (1 contour)');
    await atBothWidths(op, async () => expect(await axeViolations(op)).toEqual([]));
    await op.getByRole('button', { name: 'Diffuser' }).click();
    await op.getByRole('status').filter({ hasText: 'Information diffusée.' }).waitFor();

    expect(await reachedByAthisNotJuvisy(title)).toEqual({ communes: ['91027'], areaKind: 'polygon' });
  });

  it('when a planner uploads the signed PDF in the sub-sector detail, then a non-PDF is refused in French and a PDF\'s link appears and serves it; of two tasks of a theme, the one whose delay applies is named', async () => {
    const planner = await login('urbaniste@demo.gup');
    const { db, baseUrl } = await testContext();
    // a Morangis parcel no other test uses (the 12th from the end by IDU); the sub-sector is archived afterwards
    const parcel = (await db.knex('parcels').where({ commune_insee: '91432' }).orderBy('idu', 'desc').offset(11).first('idu')) as { idu: string };
    const [lon, lat] = await pointIn(parcel.idu);
    const d = 0.00004;
    const geometry = { type: 'Polygon', coordinates: [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]] };
    const created = await api('/api/subsectors', { cookie: planner, body: { type: 'Feature', geometry, properties: { name: 'Convention à signer (navigateur)', allowOverlap: true } } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as number;
    try {
      const put = await api(`/api/subsectors/${id}/convention`, {
        method: 'PUT', cookie: planner,
        body: {
          title: 'Convention test PDF', parties: ['ept'], status: 'draft', validFrom: null, validTo: null,
          obligations: [
            { theme: 'proprete', task: 'Balayage hebdomadaire', service: 'esh-gestion', frequency: 'hebdomadaire', delayHours: 48 },
            { theme: 'proprete', task: 'Dépôts sauvages', service: 'esh-gestion', frequency: 'à la demande', delayHours: 12 },
          ],
        },
      });
      expect(put.status, JSON.stringify(put.body)).toBe(200);

      const page = await (await newContext(browser, baseUrl)).newPage();
      await loginThroughForm(page, 'urbaniste@demo.gup');
      await page.goto(`/?plan=1&ss=${id}`);
      const section = page.getByTestId('convention');
      await section.getByText('Pas de document signé').waitFor();
      const row = (task: string) => section.getByRole('row').filter({ hasText: task });
      expect(await row('Dépôts sauvages').textContent()).toContain('appliqué aux signalements du thème');
      expect(await row('Balayage hebdomadaire').textContent()).not.toContain('appliqué');
      const input = section.getByLabel('Déposer le document signé (PDF, 10 Mo au plus)');
      await input.setInputFiles({ name: 'convention.pdf', mimeType: 'application/pdf', buffer: Buffer.from('ceci n\'est pas un PDF') });
      await section.getByRole('alert').filter({ hasText: 'Le document signé doit être un PDF' }).waitFor();
      expect(await section.getByRole('link').count()).toBe(0);

      const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
      await input.setInputFiles({ name: 'convention signée.pdf', mimeType: 'application/pdf', buffer: pdf });
      const link = section.getByRole('link', { name: /Document signé \(PDF\) — convention signée\.pdf/ });
      await link.waitFor();
      await atBothWidths(page, async () => expect(await axeViolations(page)).toEqual([]));
      const served = await page.request.get(new URL((await link.getAttribute('href'))!, baseUrl).toString());
      expect(served.status()).toBe(200);
      expect(served.headers()['content-type']).toContain('application/pdf');
      expect(Buffer.from(await served.body()).equals(pdf)).toBe(true);
    } finally {
      await api(`/api/subsectors/${id}`, { method: 'DELETE', cookie: planner });
    }
  });

  it('when a commune user asks the directory who to call on landlord land, then the landlord\'s agency and its referent are shown, and searching words in any order finds a service', async () => {
    const [lon, lat] = await pointIn(DEMO.landlordOph);
    const context = await newContext(browser, (await testContext()).baseUrl);
    const cp = await context.newPage();
    await loginThroughForm(cp, 'mairie.juvisy@demo.gup');
    await cp.goto(`/annuaire?lon=${lon}&lat=${lat}`);
    const here = cp.getByTestId('directory-here');
    const proprete = here.locator('li[data-theme="proprete"]');
    await proprete.locator('[data-service="oph-proximite"]').waitFor();
    expect(await proprete.textContent()).toContain('Thomas Nguyen (FICTIF)');
    await atBothWidths(cp, async () => expect(await axeViolations(cp)).toEqual([]));

    await cp.getByLabel('Rechercher (service, personne, thème, commune)').fill('propreté Athis');
    await cp.getByRole('button', { name: 'Rechercher', exact: true }).click();
    await cp.getByTestId('directory-entries').locator('[data-service="com-91027-proprete"]').waitFor();
    expect(new URL(cp.url()).searchParams.get('q')).toBe('propreté Athis');
  });

  it('when the map\'s first tiles are slow, then a loading message stands over the map until its first complete paint', async () => {
    const context = await newContext(browser, (await testContext()).baseUrl);
    await context.route('**/api/tiles/**', async (route) => {
      await new Promise((r) => setTimeout(r, 1500));
      await route.continue();
    });
    const page = await context.newPage();
    await loginThroughForm(page, 'gup@demo.gup');
    const loading = page.getByTestId('map-loading');
    await loading.waitFor({ state: 'visible', timeout: 15_000 });
    await loading.waitFor({ state: 'detached', timeout: 45_000 });
    await context.close();
  }, 90_000);
});

