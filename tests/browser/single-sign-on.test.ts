/**
 * Journey of an agent signing in with ProConnect (a real local oidc-provider, tests/support/oidc.ts) in Chromium:
 * the login page's button, the provider's forms, back on GUP's map signed in as the matching account, then logout at
 * GUP *and* at the provider. Needs the built client (`npm run build -w @gup/client`; the root `npm test` does it).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSingleSignOn, type SingleSignOn } from '../support/oidc.js';
import { clientBuilt, launchBrowser } from './support.js';

let sso: SingleSignOn;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  if (!clientBuilt()) throw new Error('client/dist is missing: run `npm run build -w @gup/client` before the browser tests');
  sso = await startSingleSignOn();
  browser = await launchBrowser();
  context = await browser.newContext({ baseURL: sso.gupBase, viewport: { width: 1280, height: 800 }, locale: 'fr-FR', reducedMotion: 'reduce' });
  // GUP and the provider only: nothing else leaves the machine (no basemap, no provider's web fonts)
  const allowed = new Set([new URL(sso.gupBase).origin, new URL(sso.issuer).origin]);
  await context.route((url) => !allowed.has(url.origin) && url.protocol !== 'blob:' && url.protocol !== 'data:', (route) => route.abort('internetdisconnected'));
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await sso?.close();
});

describe('single sign-on in the browser', { timeout: 60_000 }, () => {
  it('when an agent chooses ProConnect, signs in at the provider and later logs out, then GUP opens and closes the session of the matching account, at the provider too', async () => {
    await page.goto('/login');
    const button = page.getByRole('link', { name: 'Se connecter avec ProConnect' });
    await button.click();
    await page.waitForURL((url) => url.origin === sso.issuer);
    await page.locator('input[name="login"]').fill('agent-gup');
    await page.locator('input[name="password"]').fill('peu-importe');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.waitForURL((url) => url.origin === sso.gupBase && url.pathname === '/');
    await page.getByTestId('user-name').waitFor();
    expect(await page.getByTestId('user-name').textContent()).toBeTruthy();
    const me = await page.evaluate(() => fetch('/api/auth/me').then((r) => r.json()));
    expect(me.user).toMatchObject({ email: 'gup@demo.gup', role: 'gup_officer' });

    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.waitForURL((url) => url.origin === sso.issuer);
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL((url) => url.origin === sso.gupBase && url.pathname === '/login');
    expect(await page.evaluate(() => fetch('/api/auth/me').then((r) => r.status))).toBe(401);
  });
});
