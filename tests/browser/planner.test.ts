/**
 * Journey of a planner drawing a sub-sector around a landlord's residence of the Noyer Renard QPV: the live 60 %
 * panel follows the drawing, the save answers with the server's result, the sub-sector survives a reload (list, map),
 * an overlapping perimeter is refused naming it, an edit makes a new version, and a GUP officer's "who manages here?"
 * then names the sub-sector and the delegate's service. The sub-sector is archived at the end (shared database).
 * Needs the built client (`npm run build -w @gup/client`; the root `npm test` does it).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../support/context.js';
import { api, login } from '../support/http.js';
import { clickMapAt, clientBuilt, drawRingOnMap, launchBrowser, loginThroughForm, newContext, waitForMapReady } from './support.js';

const PLANNER = 'urbaniste@demo.gup';
const OFFICER = 'gup@demo.gup';
/** A residence of the landlord ESH (SA HLM Les Coteaux de l'Orge) in the Noyer Renard QPV. */
const RESIDENCE = '91027000AC0224';
const NAME = 'Résidence AC 224 (parcours urbaniste)';
/** Each step drives a WebGL map in software rendering (SwiftShader): generous on a busy machine. */
const JOURNEY_TIMEOUT = 90_000;

type Position = [number, number];

let browser: Browser;
let context: BrowserContext;
let page: Page;
let plannerCookie: string;
/** Points around the residence, a few metres outside its outline (where the planner clicks). */
let outline: Position[];
/** The residence's centre and a point inside it (from the search API). */
let centre: Position;
let inside: Position;
let createdId: number | null = null;
/** The server's share of the landlord shown in the panel before saving (PostGIS). */
let authoritativeEsh = Number.NaN;

/** Convex hull (monotone chain) of positions. */
function hull(points: Position[]): Position[] {
  const p = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const cross = (o: Position, a: Position, b: Position) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const half = (list: Position[]) => {
    const out: Position[] = [];
    for (const q of list) {
      while (out.length >= 2 && cross(out[out.length - 2]!, out[out.length - 1]!, q) <= 0) out.pop();
      out.push(q);
    }
    return out.slice(0, -1);
  };
  return [...half(p), ...half([...p].reverse())];
}

/** The hull of a ring pushed `metres` away from its centre, keeping vertices at least `spacing` metres apart. */
function around(ring: Position[], metres: number, spacing: number): { points: Position[]; centre: Position } {
  const h = hull(ring);
  const c: Position = [h.reduce((s, q) => s + q[0], 0) / h.length, h.reduce((s, q) => s + q[1], 0) / h.length];
  const mLon = 111_320 * Math.cos((c[1] * Math.PI) / 180);
  const mLat = 111_320;
  const points: Position[] = [];
  for (const [x, y] of h) {
    const dx = (x - c[0]) * mLon;
    const dy = (y - c[1]) * mLat;
    const d = Math.hypot(dx, dy);
    const q: Position = [x + ((dx / d) * metres) / mLon, y + ((dy / d) * metres) / mLat];
    const last = points[points.length - 1];
    if (!last || Math.hypot((q[0] - last[0]) * mLon, (q[1] - last[1]) * mLat) >= spacing) points.push(q);
  }
  const first = points[0]!;
  const last = points[points.length - 1]!;
  if (points.length > 3 && Math.hypot((first[0] - last[0]) * mLon, (first[1] - last[1]) * mLat) < spacing) points.pop();
  return { points, centre: c };
}

const pixel = (p: Position) => page.evaluate(([lon, lat]) => window.__gup!.project(lon!, lat!), p);
const plannerPanel = () => page.getByTestId('planner-panel');
const live = () => page.getByTestId('live-preview');
const idFromUrl = () => Number(new URL(page.url()).searchParams.get('ss'));

const drawRing = (points: Position[]) => drawRingOnMap(page, points);

/** Drags the vertex at `from` to `to` with the mouse, in small steps; `during` runs before the button is released. */
async function dragVertex(from: Position, to: Position, during?: () => Promise<void>): Promise<void> {
  const a = await pixel(from);
  const b = await pixel(to);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  for (let i = 1; i <= 12; i++) {
    await page.mouse.move(a.x + ((b.x - a.x) * i) / 12, a.y + ((b.y - a.y) * i) / 12);
    await page.waitForTimeout(25);
  }
  await during?.();
  await page.mouse.up();
}

/** The live panel's share of an actor (0..1), from its row; null when the actor has no row. */
async function liveShare(actor: string): Promise<number | null> {
  const row = live().locator(`[data-testid="share-row"][data-actor="${actor}"]`);
  if ((await row.count()) === 0) return null;
  return Number(await row.getAttribute('data-share'));
}

beforeAll(async () => {
  if (!clientBuilt()) throw new Error('client/dist is missing: run `npm run build -w @gup/client` before the browser tests');
  const { baseUrl } = await testContext();
  plannerCookie = await login(PLANNER);
  const parcel = await api(`/api/parcels/${RESIDENCE}`, { cookie: plannerCookie });
  expect(parcel.body.owners[0].organisation.code).toBe('esh');
  const ring = (parcel.body.geometry.type === 'Polygon' ? parcel.body.geometry.coordinates[0] : parcel.body.geometry.coordinates[0][0]) as Position[];
  ({ points: outline, centre } = around(ring, 6, 13));
  const hit = (await api(`/api/search?q=${RESIDENCE}`, { cookie: plannerCookie })).body.results.find((r: { id: string }) => r.id === RESIDENCE);
  inside = hit.point;
  browser = await launchBrowser();
  context = await newContext(browser, baseUrl);
  page = await context.newPage();
  page.on('dialog', (d) => void d.accept()); // "archive?" and "abandon?" confirmations
});

afterAll(async () => {
  await browser?.close();
  // Safety net: never leave an active sub-sector behind for the other test files.
  if (createdId !== null) await api(`/api/subsectors/${createdId}`, { method: 'DELETE', cookie: plannerCookie });
});

describe('planner drawing a sub-sector', () => {
  it('when the planner draws around a landlord residence, then the live panel gives the landlord more than 60 % and "Délégué", and follows a dragged vertex', async () => {
    await loginThroughForm(page, PLANNER);
    await page.goto(`/?c=${centre[0]},${centre[1]}&z=18`);
    await waitForMapReady(page);
    await page.getByRole('button', { name: 'Sous-secteurs', exact: true }).click();
    await plannerPanel().getByRole('button', { name: 'Dessiner un nouveau sous-secteur' }).click();
    await page.getByTestId('draw-view').waitFor();

    await drawRing(outline);
    await expect.poll(() => page.getByTestId('draw-mode').textContent()).toContain('Modification des sommets');
    await expect.poll(() => liveShare('esh'), { timeout: 15_000 }).toBeGreaterThan(0.6);
    expect(await live().getByTestId('outcome').textContent()).toContain('Délégué à SA HLM Les Coteaux de l\'Orge');
    expect(await live().getByTestId('public-domain').textContent()).toContain('Domaine public non cadastré');
    expect(await page.getByTestId('geometry-problem').count()).toBe(0);

    // Drag one vertex further out: the area grows while the button is still held (recomputed on every move).
    const areaBefore = await live().getByTestId('area').textContent();
    const vertex = outline[0]!;
    const further: Position = [vertex[0] + (vertex[0] - centre[0]) * 0.12, vertex[1] + (vertex[1] - centre[1]) * 0.12];
    let areaDuring = '';
    await dragVertex(vertex, further, async () => {
      areaDuring = (await live().getByTestId('area').textContent()) ?? '';
    });
    expect(areaDuring).not.toBe(areaBefore);
    outline[0] = further;
    await expect.poll(() => liveShare('esh')).toBeGreaterThan(0.6);
  }, JOURNEY_TIMEOUT);

  it('when the planner drags a vertex across the outline, then the crossing is explained in French, and Undo removes it', async () => {
    const vertex = outline[1]!;
    const across: Position = [2 * centre[0] - vertex[0], 2 * centre[1] - vertex[1]];
    await dragVertex(vertex, [across[0] + (across[0] - centre[0]) * 0.6, across[1] + (across[1] - centre[1]) * 0.6]);
    const problem = page.getByTestId('geometry-problem');
    await expect.poll(() => problem.getAttribute('data-reason').catch(() => null)).toBe('self_intersection');
    expect(await problem.textContent()).toContain('Le contour se recoupe');
    expect(await plannerPanel().getByRole('button', { name: 'Enregistrer', exact: true }).isDisabled()).toBe(true);

    await plannerPanel().getByRole('button', { name: 'Annuler la dernière modification' }).click();
    await expect.poll(() => page.getByTestId('geometry-problem').count()).toBe(0);
    await expect.poll(() => liveShare('esh')).toBeGreaterThan(0.6);
  }, JOURNEY_TIMEOUT);

  it('when the perimeter rests, then the panel shows the server\'s authoritative figure beside the live one, and saving stores exactly that figure', async () => {
    const top = page.getByTestId('authoritative-top');
    await expect.poll(() => top.getAttribute('data-share').catch(() => null), { timeout: 15_000 }).not.toBeNull();
    expect(await page.getByTestId('authoritative').textContent()).toContain('Chiffre de référence (serveur, PostGIS)');
    expect(await top.getAttribute('data-actor')).toBe('esh');
    const authoritative = Number(await top.getAttribute('data-share'));
    expect(Math.abs(authoritative - (await liveShare('esh'))!)).toBeLessThan(0.001);
    authoritativeEsh = authoritative;
  }, JOURNEY_TIMEOUT);

  it('when the planner saves with a name, then the server\'s result is shown and the sub-sector is in the list and on the map after a reload', async () => {
    await plannerPanel().getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await page.getByText('Donnez un nom au sous-secteur.').waitFor(); // the name is required
    await page.getByLabel('Nom (obligatoire)').fill(NAME);
    await page.getByLabel('Notes de procédure (convention, contacts…)').fill('Convention de gestion avec le bailleur');
    await plannerPanel().getByRole('button', { name: 'Enregistrer', exact: true }).click();

    const detail = page.getByTestId('subsector-detail');
    await detail.waitFor();
    await expect.poll(() => idFromUrl()).toBeGreaterThan(0);
    createdId = idFromUrl();
    expect(await page.getByTestId('planner-notice').textContent()).toContain(`« ${NAME} » enregistré (version 1)`);
    expect(await page.getByTestId('subsector-name').textContent()).toBe(NAME);
    const saved = await api(`/api/subsectors/${createdId}`, { cookie: plannerCookie });
    expect(saved.body.properties).toMatchObject({ name: NAME, outcome: 'delegated', delegate: { code: 'esh' } });
    expect(saved.body.properties.shares.find((x: { actor: string }) => x.actor === 'esh').share).toBeCloseTo(authoritativeEsh, 6);
    expect(await detail.getByTestId('outcome').first().textContent()).toContain('Délégué à SA HLM Les Coteaux de l\'Orge');

    await page.reload();
    await waitForMapReady(page);
    await expect.poll(() => page.getByTestId('subsector-name').textContent().catch(() => '')).toBe(NAME);
    await page.getByRole('button', { name: /Retour à la liste/ }).click();
    const item = page.getByTestId('subsector-list').locator(`[data-id="${createdId}"]`);
    expect(await item.textContent()).toContain(NAME);
    expect(await item.textContent()).toContain('Délégué à');

    // On the map: a click inside the residence opens it (found in the sub-sector tiles drawn on the map).
    await page.locator('.map-canvas[data-idle="true"]').waitFor({ timeout: 30_000 });
    await clickMapAt(page, inside[0], inside[1]);
    await expect.poll(() => page.getByTestId('subsector-name').textContent().catch(() => '')).toBe(NAME);
  }, JOURNEY_TIMEOUT);

  it('when the planner draws a perimeter overlapping it, then the save is refused naming it, with an explicit way to save anyway', async () => {
    await page.getByRole('button', { name: /Retour à la liste/ }).click();
    await plannerPanel().getByRole('button', { name: 'Dessiner un nouveau sous-secteur' }).click();
    const small = around(outline, -8, 14).points.slice(0, 4);
    await drawRing(small);
    await expect.poll(() => liveShare('esh'), { timeout: 15_000 }).not.toBeNull();
    await page.getByLabel('Nom (obligatoire)').fill('Chevauchement (parcours urbaniste)');
    await plannerPanel().getByRole('button', { name: 'Enregistrer', exact: true }).click();
    const overlap = page.getByTestId('overlap');
    await overlap.waitFor();
    expect(await overlap.textContent()).toContain(NAME);
    expect(await overlap.getByRole('button', { name: 'Enregistrer quand même (chevauchement assumé)' }).count()).toBe(1);
    await plannerPanel().getByRole('button', { name: 'Abandonner le dessin' }).click();
    await page.getByTestId('subsector-list').waitFor();
  }, JOURNEY_TIMEOUT);

  it('when the planner edits the perimeter, then a second version is saved and the history lists both', async () => {
    await page.getByTestId('subsector-list').locator(`[data-id="${createdId}"]`).getByRole('button', { name: NAME }).click();
    await page.getByRole('button', { name: 'Modifier le périmètre et les informations' }).click();
    await page.getByTestId('draw-view').waitFor();
    await expect.poll(() => page.getByTestId('draw-mode').textContent()).toContain('Modification des sommets · 1 contour');
    await expect.poll(() => liveShare('esh'), { timeout: 15_000 }).toBeGreaterThan(0.6);
    const vertex = outline[2]!;
    await dragVertex(vertex, [vertex[0] + (vertex[0] - centre[0]) * 0.08, vertex[1] + (vertex[1] - centre[1]) * 0.08]);
    await plannerPanel().getByRole('button', { name: 'Enregistrer une nouvelle version' }).click();
    await page.getByTestId('subsector-detail').waitFor();
    const history = page.getByTestId('subsector-history');
    await expect.poll(() => history.locator('[data-version]').count()).toBe(2);
    expect(await history.locator('[data-version="2"]').textContent()).toContain('Modification');
    expect(await history.locator('[data-version="1"]').textContent()).toContain('Création');
    expect(await history.textContent()).toContain('Urbaniste GUP');
  }, JOURNEY_TIMEOUT);

  it('when a GUP officer asks "who manages here?" inside it, then the panel names the sub-sector and the delegate\'s service', async () => {
    const officerCookie = await login(OFFICER);
    const expected = (await api(`/api/lookup?lon=${inside[0]}&lat=${inside[1]}`, { cookie: officerCookie })).body;
    expect(expected.subSector).toMatchObject({ id: createdId, name: NAME, outcome: 'delegated', delegate: { code: 'esh' } });
    const delegated = expected.services.filter((s: { rule: string }) => s.rule === 'subsector');
    expect(delegated.length).toBeGreaterThan(0);

    const officerContext = await newContext(browser, (await testContext()).baseUrl);
    const officer = await officerContext.newPage();
    try {
      await loginThroughForm(officer, OFFICER);
      await officer.goto(`/?c=${inside[0]},${inside[1]}&z=18`);
      await waitForMapReady(officer);
      await clickMapAt(officer, inside[0], inside[1]);
      const panel = officer.getByTestId('lookup-panel');
      await panel.getByTestId('services').waitFor();
      const text = await panel.textContent();
      expect(text).toContain(NAME);
      expect(text).toContain('Gestion déléguée à SA HLM Les Coteaux de l\'Orge');
      for (const row of delegated) {
        const item = panel.getByTestId('services').locator(`[data-theme="${row.theme.code}"]`);
        expect(await item.textContent()).toContain(row.service.name);
      }
    } finally {
      await officerContext.close();
    }
  }, JOURNEY_TIMEOUT);

  it('when the planner archives it, then it leaves the list and the officer\'s answer', async () => {
    await page.getByRole('button', { name: 'Archiver' }).click();
    await expect.poll(() => page.getByTestId('planner-notice').textContent()).toContain(`« ${NAME} » archivé`);
    await page.getByTestId('subsector-list').waitFor();
    expect(await page.getByTestId('subsector-list').locator(`[data-id="${createdId}"]`).count()).toBe(0);
    const lookup = await api(`/api/lookup?lon=${inside[0]}&lat=${inside[1]}`, { cookie: plannerCookie });
    expect(lookup.body.subSector).toBeNull();
    createdId = null;
  }, JOURNEY_TIMEOUT);

  it('when the planner opens the data-quality list for Paray-Vieille-Poste, then the nested parcels are listed with their owners and shown on the map', async () => {
    const section = page.getByTestId('parcel-overlaps');
    await section.getByLabel('Commune').selectOption({ label: 'Paray-Vieille-Poste' });
    await section.getByRole('button', { name: 'Afficher' }).click();
    await expect.poll(() => section.getByTestId('overlaps-total').textContent().catch(() => ''), { timeout: 30_000 }).toMatch(/groupe\(s\) de parcelles superposées/);
    const group = section.getByTestId('overlap-group').filter({ hasText: '91479000AB0147' });
    expect(await group.textContent()).toContain('Parcelles imbriquées');
    const before = page.url();
    await group.getByRole('button', { name: 'Voir sur la carte' }).click();
    await expect.poll(() => page.url(), { timeout: 15_000 }).not.toBe(before); // the map moved to the group (the view is in the URL; slow on a busy machine)
    expect(await group.getAttribute('class')).toContain('overlaps__item--focused');
  }, JOURNEY_TIMEOUT);
});
