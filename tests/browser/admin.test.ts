/**
 * Administration in a real Chromium (issue 14 §1, "Done when"): the admin creates a commune user who then sets a
 * password through the mailed one-time link and signs in; changes a category's delay and a new report gets it; uploads
 * a cadastre file and sees the summary; revokes an Open311 key that then fails. axe-core finds no violation on the
 * admin pages. Needs the built client (`npm run build`).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paths } from '../../server/src/config.js';
import { testContext } from '../support/context.js';
import { DEMO, pointIn } from '../support/geo.js';
import { api, login } from '../support/http.js';
import { postReport, reportBody } from '../support/reports.js';
import { clientBuilt, launchBrowser, loginThroughForm, newContext } from './support.js';

const AXE = fs.readFileSync(path.join(paths.repoRoot, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

let browser: Browser;
let context: BrowserContext;
let page: Page;
let base: string;
let originalConfig: unknown;

beforeAll(async () => {
  if (!clientBuilt()) throw new Error('client/dist is missing: run `npm run build` first');
  ({ baseUrl: base } = await testContext());
  originalConfig = (await api('/api/admin/config', { cookie: await login('admin@demo.gup') })).body.config;
  browser = await launchBrowser();
  context = await newContext(browser, base);
  page = await context.newPage();
  await loginThroughForm(page, 'admin@demo.gup');
}, 60_000);

afterAll(async () => {
  if (originalConfig) await api('/api/admin/config', { method: 'PUT', cookie: await login('admin@demo.gup'), body: { config: originalConfig } });
  await context?.close();
  await browser?.close();
});

/** axe-core's violations on the current page (injected through the DevTools protocol: the page's CSP stays on). */
async function axeViolations(p: Page): Promise<string[]> {
  await p.evaluate(AXE);
  const result = await p.evaluate(async () => (window as unknown as { axe: { run(): Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> } }).axe.run());
  return result.violations.map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
}

async function openAdmin(section: string, heading: string) {
  await page.goto(`/admin/${section}`);
  await page.getByRole('heading', { name: heading }).waitFor();
}

describe('administration in the browser', () => {
  it('when the admin creates a commune user, then the person sets a password through the mailed link and signs in', async () => {
    const nav = page.getByRole('navigation', { name: 'Navigation principale' });
    await nav.getByRole('button', { name: 'Pilotage' }).click(); // the administration is in the « Pilotage » group
    await nav.getByRole('link', { name: 'Administration' }).click();
    await page.getByRole('heading', { name: 'Créer un compte' }).waitFor();
    await page.getByLabel('Adresse e-mail', { exact: true }).fill('Nouvelle.Referente@Exemple.fr');
    await page.getByLabel('Nom', { exact: true }).fill('Nouvelle référente');
    await page.getByLabel('Rôle', { exact: true }).selectOption('commune_user');
    await page.getByLabel('Commune', { exact: true }).selectOption({ label: 'Juvisy-sur-Orge' });
    await page.getByRole('button', { name: 'Créer et envoyer le lien' }).click();
    await page.getByText('Compte créé : nouvelle.referente@exemple.fr').waitFor();
    await page.getByTestId('accounts').getByText('nouvelle.referente@exemple.fr').waitFor();
    expect(await axeViolations(page)).toEqual([]);

    const { db } = await testContext();
    const mail = await db.knex('outbox').where({ to_address: 'nouvelle.referente@exemple.fr' }).orderBy('id', 'desc').first('body');
    const link = /https?:\/\/[^/\s]+(\/mot-de-passe#jeton=[A-Za-z0-9_-]+)/.exec(mail.body)![1]!;
    const newcomer = await newContext(browser, base);
    const p = await newcomer.newPage();
    await p.goto(link);
    await p.getByRole('heading', { name: 'Choisir votre mot de passe' }).waitFor();
    expect(await axeViolations(p)).toEqual([]);
    // the server's one policy, said on the page before any request: one character repeated is refused
    await p.getByLabel('Nouveau mot de passe').fill('a'.repeat(16));
    await p.getByText('Mot de passe refusé : un seul caractère répété.').waitFor();
    await p.getByLabel('Nouveau mot de passe').fill('referente-juvisy-2026');
    await p.getByLabel('Confirmer le mot de passe').fill('referente-juvisy-2026');
    await p.getByRole('button', { name: 'Enregistrer le mot de passe' }).click();
    await p.getByText('Mot de passe enregistré').waitFor();
    await loginThroughForm(p, 'nouvelle.referente@exemple.fr', 'referente-juvisy-2026');
    await expect(p.getByTestId('user-name').textContent()).resolves.toBe('Nouvelle référente');
    await newcomer.close();
  });

  it("when the admin changes a category's delay, then the effect is shown before saving and a new report gets the new delay", async () => {
    await openAdmin('configuration', 'Configuration du territoire');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel('Prise en compte (h) : Dépôt sauvage, encombrants').fill('50');
    await page.getByLabel('Prise en compte (h) : Dépôt sauvage, encombrants').dispatchEvent('change');
    expect(await page.getByRole('button', { name: 'Enregistrer la configuration' }).isDisabled()).toBe(true); // the effect comes first
    await page.getByRole('button', { name: 'Voir l’effet' }).click();
    const effect = page.getByTestId('config-effect');
    await effect.getByText(/^Dépôt sauvage, encombrants : 24 h \/ 72 h.* → 50 h \/ 72 h/).waitFor({ timeout: 15_000 });
    const { db } = await testContext();
    expect((await db.knex('categories').where({ code: 'depot_sauvage' }).first('ack_hours')).ack_hours).toBe(24); // shown, not saved
    await page.getByRole('button', { name: 'Enregistrer la configuration' }).click();
    await page.getByText('Configuration enregistrée et appliquée.').waitFor();

    const [lon, lat] = await pointIn(DEMO.landlordOph);
    const report = await postReport(await login('mairie.athis@demo.gup'), reportBody(lon, lat));
    expect(report.status).toBe(201);
    const hours = (Date.parse(report.body.ackDueAt) - Date.now()) / 3600_000;
    expect(hours).toBeGreaterThan(49);
    expect(hours).toBeLessThan(50.1);
  });

  it('when the admin uploads a cadastre file, then the import runs and its summary is shown', async () => {
    await openAdmin('imports', 'Imports');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel('Fichiers à importer').setInputFiles(path.join(paths.repoRoot, 'geodata', 'cadastre', 'cadastre-91479-parcelles.json.gz'));
    await page.getByRole('button', { name: 'Importer', exact: true }).click();
    await page.getByText('Import terminé.').waitFor({ timeout: 120_000 });
    const summary = page.getByTestId('import-summary');
    await summary.getByRole('rowheader', { name: 'cadastre-91479-parcelles.json.gz' }).waitFor();
    const cells = await summary.locator('tbody tr').first().locator('td').allTextContents();
    expect(cells[0]).toBe('cadastre');
    expect(Number(cells[1]!.replace(/\s/g, ''))).toBeGreaterThan(1000); // read
    expect(await axeViolations(page)).toEqual([]);
  });

  it('when the admin revokes an Open311 key, then filing with it fails', async () => {
    await openAdmin('open311', 'Créer une clé');
    await page.getByLabel('Commune', { exact: true }).selectOption({ label: 'Athis-Mons' });
    await page.getByLabel('Libellé (logiciel, éditeur)').fill('Logiciel navigateur');
    await page.getByRole('button', { name: 'Créer la clé' }).click();
    const key = (await page.getByTestId('new-key-value').textContent())!.trim();
    expect(key).toMatch(/^gup311_/);
    expect(await axeViolations(page)).toEqual([]);
    const [lon, lat] = await pointIn(DEMO.landlordOph);
    const file = () => api('/open311/v2/requests.json', {
      method: 'POST',
      raw: new URLSearchParams({ api_key: key, service_code: 'graffiti', lat: String(lat), long: String(lon), description: 'Tag (navigateur)' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect((await file()).status).toBe(201);
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Révoquer : Logiciel navigateur' }).click();
    await page.getByTestId('keys').getByRole('row', { name: /Logiciel navigateur/ }).getByText('révoquée').waitFor();
    expect((await file()).status).toBe(403);
  });

  it("when the admin opens the outbox and the audit log, then they show the changes with no accessibility violation, and the admin pages' content fits 390 px", async () => {
    await openAdmin('envois', 'Envois (courriels)');
    expect(await axeViolations(page)).toEqual([]);
    await openAdmin('journal', 'Journal des modifications');
    await page.getByRole('rowheader', { name: /^login/ }).first().waitFor(); // the admin's own sign-in, at least
    expect(await axeViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 390, height: 800 });
    for (const section of ['comptes', 'configuration', 'journal']) {
      await page.goto(`/admin/${section}`);
      await page.locator('.admin-panel').waitFor();
      // the page's content fits (wide tables scroll inside their own frame); the shared header is not this page's
      const overflow = await page.evaluate(() => { const main = document.querySelector('main')!; return main.scrollWidth - main.clientWidth; });
      expect(overflow, section).toBeLessThanOrEqual(0);
    }
  });

  it('when the audit log holds more than 50 entries, then it shows them 50 at a time with a pager the keyboard drives', async () => {
    const { db } = await testContext();
    await db.knex('audit_log').insert(Array.from({ length: 60 }, (_, i) => ({ action: `test.pager.${String(i).padStart(2, '0')}`, details: null })));
    await openAdmin('journal', 'Journal des modifications');
    await page.getByRole('rowheader', { name: /^test\.pager\.59/ }).waitFor(); // newest first
    const pager = page.getByRole('navigation', { name: 'Pagination : Journal des modifications' });
    expect(await pager.getByText(/^1–50 sur \d+$/).isVisible()).toBe(true);
    expect(await page.getByRole('region', { name: 'Entrées du journal' }).getByRole('row').count()).toBe(51); // the header and 50 rows
    expect(await page.getByRole('rowheader', { name: /^test\.pager\.00/ }).count()).toBe(0);
    await pager.getByRole('button', { name: /Page suivante/ }).focus();
    await page.keyboard.press('Enter');
    await pager.getByText(/^51–\d+ sur \d+$/).waitFor();
    await page.getByRole('rowheader', { name: /^test\.pager\.09/ }).waitFor();
    expect(await page.getByRole('rowheader', { name: /^test\.pager\.59/ }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await db.knex('audit_log').where('action', 'like', 'test.pager.%').delete();
  });
});
