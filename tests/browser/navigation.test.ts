/**
 * The header's navigation in a real Chromium: the everyday entries in view, the steering ones (diagnoses, action plan,
 * directory, administration) in the « Pilotage » disclosure (aria-expanded, Escape closes and gives the focus back, a
 * link reached by the keyboard); on a phone (390 px) the whole navigation behind a « Menu » button. axe-core finds no
 * violation with the menus open. Needs the built client (`npm run build`).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../support/context.js';
import { axeViolations, clientBuilt, launchBrowser, loginThroughForm, newContext } from './support.js';

let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  if (!clientBuilt()) throw new Error('client/dist is missing: run `npm run build` before the browser tests');
  const { baseUrl } = await testContext();
  browser = await launchBrowser();
  context = await newContext(browser, baseUrl, { viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  await loginThroughForm(page, 'admin@demo.gup');
}, 60_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

const nav = () => page.getByRole('navigation', { name: 'Navigation principale' });
const isFocused = (name: string) => page.evaluate((n) => document.activeElement?.textContent?.trim().startsWith(n) ?? false, name);

describe('header navigation', { timeout: 60_000 }, () => {
  it('when an admin reads the header at 1280 px, then four entries and « Pilotage » fit on one row and the steering links are folded', async () => {
    await page.goto('/signalements');
    await nav().getByRole('button', { name: 'Pilotage' }).waitFor();
    for (const name of ['Carte', 'Signalements', 'Tableau de bord', 'Informations']) expect(await nav().getByRole('link', { name }).isVisible(), name).toBe(true);
    const steering = nav().getByRole('button', { name: 'Pilotage' });
    expect(await steering.getAttribute('aria-expanded')).toBe('false');
    expect(await nav().getByRole('link', { name: 'Administration' }).isVisible()).toBe(false);
    expect(await nav().getByRole('button', { name: 'Menu' }).isVisible()).toBe(false);
    // one row: every entry's top within a few pixels of the first one's
    const tops = await nav().locator('a:visible, button:visible').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().top));
    expect(Math.max(...tops) - Math.min(...tops)).toBeLessThan(8);
  });

  it('when the admin opens « Pilotage » with the keyboard, then its links show, Escape closes it and the focus is back on the button', async () => {
    await page.goto('/signalements');
    const steering = nav().getByRole('button', { name: 'Pilotage' });
    await steering.focus();
    await page.keyboard.press('Enter');
    expect(await steering.getAttribute('aria-expanded')).toBe('true');
    for (const name of ['Diagnostics', 'Plan d’actions', 'Annuaire', 'Administration']) expect(await nav().getByRole('link', { name }).isVisible(), name).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press('Tab');
    expect(await isFocused('Diagnostics')).toBe(true);
    await page.keyboard.press('Escape');
    expect(await steering.getAttribute('aria-expanded')).toBe('false');
    expect(await nav().getByRole('link', { name: 'Diagnostics' }).isVisible()).toBe(false);
    expect(await isFocused('Pilotage')).toBe(true);
  });

  it('when the admin follows a link of « Pilotage » by the keyboard, then the page opens, the group closes and is marked as holding the current page', async () => {
    await page.goto('/signalements');
    const steering = nav().getByRole('button', { name: 'Pilotage' });
    await steering.click();
    await nav().getByRole('link', { name: 'Annuaire' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/annuaire$/);
    expect(await steering.getAttribute('aria-expanded')).toBe('false');
    expect(await steering.getAttribute('class')).toContain('nav-group__button--current');
  });

  it('when the page only rewrites its query (the map records its position as it moves), then « Pilotage » stays open', async () => {
    await page.goto('/signalements');
    const steering = nav().getByRole('button', { name: 'Pilotage' });
    await steering.click();
    await page.evaluate(async () => {
      const app = (document.querySelector('#app') as unknown as { __vue_app__: { config: { globalProperties: { $router: { replace(to: object): Promise<unknown> } } } } }).__vue_app__;
      await app.config.globalProperties.$router.replace({ path: '/signalements', query: { status: 'new' } });
    });
    await page.waitForURL(/status=new/);
    expect(await steering.getAttribute('aria-expanded')).toBe('true');
    await nav().getByRole('link', { name: 'Administration' }).click();
    await page.getByRole('heading', { name: 'Créer un compte' }).waitFor();
    expect(await steering.getAttribute('aria-expanded')).toBe('false');
  });

  it('when the admin clicks elsewhere on the page, then « Pilotage » closes', async () => {
    await page.goto('/signalements');
    const steering = nav().getByRole('button', { name: 'Pilotage' });
    await steering.click();
    expect(await steering.getAttribute('aria-expanded')).toBe('true');
    await page.locator('main').click({ position: { x: 5, y: 5 } });
    expect(await steering.getAttribute('aria-expanded')).toBe('false');
  });

  it('when the header is 390 px wide, then the navigation is behind « Menu »: it opens, lists every entry, and Escape closes it back to the button', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto('/signalements');
      const menu = nav().getByRole('button', { name: 'Menu' });
      await menu.waitFor();
      expect(await nav().getByRole('link', { name: 'Signalements' }).isVisible()).toBe(false);
      await menu.click();
      expect(await menu.getAttribute('aria-expanded')).toBe('true');
      for (const name of ['Carte', 'Signalements', 'Tableau de bord', 'Informations']) expect(await nav().getByRole('link', { name }).isVisible(), name).toBe(true);
      await nav().getByRole('button', { name: 'Pilotage' }).click();
      expect(await nav().getByRole('link', { name: 'Administration' }).isVisible()).toBe(true);
      const box = await nav().getByRole('link', { name: 'Administration' }).boundingBox();
      expect(box!.x + box!.width).toBeLessThanOrEqual(390);
      expect(await axeViolations(page)).toEqual([]);
      await page.keyboard.press('Escape'); // closes « Pilotage » first (the focus is on its button)
      await page.keyboard.press('Escape'); // then the menu
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      expect(await isFocused('Menu') || await isFocused('☰')).toBe(true);
      await menu.click();
      await nav().getByRole('link', { name: 'Carte' }).click();
      await page.waitForURL((url) => url.pathname === '/');
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });
});
