/**
 * Journey of an agent making a personal API token for QGIS, on a phone-sized screen (390 px): "Jetons d'accès",
 * create with a label, the secret shown once (and working as a Bearer token), the list, revoke.
 * Needs the built client (`npm run build -w @gup/client`; the root `npm test` does it).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../support/context.js';
import { api } from '../support/http.js';
import { clientBuilt, launchBrowser, loginThroughForm, newContext } from './support.js';

const AGENT = 'oph@demo.gup';
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  if (!clientBuilt()) throw new Error('client/dist is missing: run `npm run build -w @gup/client` before the browser tests');
  const { baseUrl } = await testContext();
  browser = await launchBrowser();
  context = await newContext(browser, baseUrl);
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
});

describe('personal API tokens in the browser', { timeout: 60_000 }, () => {
  it('when single sign-on is not configured, then the login page shows no ProConnect button', async () => {
    await page.goto('/login');
    await page.getByLabel('Adresse e-mail').waitFor();
    expect(await page.getByTestId('login-sso').count()).toBe(0);
  });

  it('when an agent creates a token at 390 px, then it is shown once, works as a Bearer token, is listed, and revoking it closes the API to it', async () => {
    await loginThroughForm(page, AGENT);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/jetons');
    await page.getByRole('heading', { level: 1, name: 'Jetons d’accès personnels' }).waitFor();
    const label = `QGIS bureau ${Date.now()}`;
    await page.getByLabel('Libellé').fill(label);
    await page.getByLabel('Durée de validité').selectOption({ label: '90 jours' });
    await page.getByRole('button', { name: 'Créer le jeton' }).click();

    const value = page.getByTestId('token-value');
    await value.waitFor();
    const token = await value.inputValue();
    expect(token).toMatch(/^gup_pat_[A-Za-z0-9_-]{43}$/);
    expect(await page.getByText('il ne sera plus jamais affiché').isVisible()).toBe(true);
    // the page's content fits the screen (the shared header is the header's business)
    expect(await page.evaluate(() => Math.max(...[...document.querySelectorAll('.tokens, .tokens *')].map((e) => e.getBoundingClientRect().right)))).toBeLessThanOrEqual(390);

    const me = await api('/api/auth/me', { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe(AGENT);

    await page.getByRole('button', { name: 'J’ai copié le jeton' }).click();
    expect(await page.getByTestId('token-value').count()).toBe(0);
    const item = page.getByTestId('token-list').locator('li', { hasText: label });
    await item.waitFor();
    expect(await page.content()).not.toContain(token);

    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: `Révoquer le jeton « ${label} »` }).click();
    await page.getByText(`Jeton « ${label} » révoqué.`).waitFor({ state: 'attached' });
    await item.waitFor({ state: 'detached' });
    expect((await api('/api/auth/me', { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });
});
