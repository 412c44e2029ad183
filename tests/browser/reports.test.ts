/**
 * Journey of a report (DESIGN 3.3) across three people, each in a fresh browser: the Athis-Mons referent reports a
 * "dépôt sauvage" on an OPH parcel of the Noyer Renard QPV and sees where it went; the OPH agent finds it in the
 * queue, acknowledges and resolves it with an answer; the referent reads that answer on the report's page.
 * Needs the built client (`npm run build -w @gup/client`; the root `npm test` does it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../support/context.js';
import { pointIn } from '../support/geo.js';
import { clickMapAt, startPeople, waitForMapReady, type People } from './support.js';

const COMMUNE_USER = 'mairie.athis@demo.gup';
const OPH_AGENT = 'oph@demo.gup';
const OPH_SERVICE = 'OPH Orge Seine Habitat — Agence de proximité (FICTIF)';
const CATEGORY = 'Dépôt sauvage, encombrants';
const JUVISY_PARCEL = '91326000AB0191';
const DESCRIPTION = `Matelas et gravats devant le hall (test navigateur ${Date.now()})`;
const ANSWER = 'Encombrants enlevés par notre prestataire ce matin, merci du signalement.';
/** A 1×1 PNG: the photo goes through the real upload and re-encoding. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

let people: People;
/** A point inside an OPH-only parcel of Noyer Renard (QP091028) that no sub-sector covers (ownership routing). */
let spot: [number, number];
let reference = '';

async function ophParcelInNoyerRenard(): Promise<[number, number]> {
  const { db } = await testContext();
  const { rows } = await db.knex.raw(
    `SELECT ST_X(pt) AS lon, ST_Y(pt) AS lat FROM (
       SELECT p.idu, ST_PointOnSurface(p.geom) AS pt, ST_Area(p.geom::geography) AS area FROM parcels p
       WHERE EXISTS (SELECT 1 FROM parcel_rights r JOIN owners o ON o.id = r.owner_id
                     WHERE r.idu = p.idu AND r.right_code = 'P' AND coalesce(o.manual_organisation_code, o.organisation_code) = 'oph')
         AND NOT EXISTS (SELECT 1 FROM parcel_rights r JOIN owners o ON o.id = r.owner_id
                     WHERE r.idu = p.idu AND r.right_code = 'P' AND coalesce(o.manual_organisation_code, o.organisation_code) IS DISTINCT FROM 'oph')
     ) c
     WHERE EXISTS (SELECT 1 FROM qpv q WHERE q.code = 'QP091028' AND ST_Contains(q.geom, c.pt))
       AND NOT EXISTS (SELECT 1 FROM subsectors s WHERE s.status = 'active' AND ST_Intersects(s.geom, c.pt))
     ORDER BY c.area DESC, c.idu LIMIT 1`,
  );
  if (!rows[0]) throw new Error('no OPH parcel in Noyer Renard in the test database');
  return [Number(rows[0].lon), Number(rows[0].lat)];
}

beforeAll(async () => {
  spot = await ophParcelInNoyerRenard();
  people = await startPeople();
});

afterAll(() => people?.close());

// Generous per-test timeout: SwiftShader rendering competes for the CPU with everything else on CI machines.
describe('a report from the commune to the landlord and back', { timeout: 60_000 }, () => {
  it('when the Athis-Mons referent reports a spot in Juvisy, then the server\'s refusal naming the commune is shown and the form stays filled', async () => {
    const page = await people.signIn(COMMUNE_USER);
    const [lon, lat] = await pointIn(JUVISY_PARCEL);
    // Selecting the spot says it before any form is filled (issue 14): no report button, the commune named
    await page.goto(`/?c=${lon},${lat}&z=17&sel=${lon},${lat}`);
    await expect.poll(() => page.getByTestId('report-here-blocked').textContent().catch(() => ''), { timeout: 20_000 }).toMatch(/Juvisy-sur-Orge : vous ne pouvez signaler que dans votre commune/);
    expect(await page.getByTestId('report-here').count()).toBe(0);
    // The open form is part of the URL: a shared link opens it at that spot; the server refuses it too.
    await page.goto(`/?c=${lon},${lat}&z=17&sel=${lon},${lat}&signaler=1`);
    const form = page.getByTestId('report-panel');
    await form.getByLabel('Catégorie').selectOption({ label: CATEGORY });
    await form.getByLabel('Description', { exact: true }).fill('Dépôt hors de ma commune');
    await form.getByRole('button', { name: 'Envoyer le signalement' }).click();
    const alert = form.getByTestId('report-error');
    await expect.poll(() => alert.textContent().catch(() => '')).toMatch(/Juvisy.*vous ne pouvez signaler que dans votre commune/);
    expect(await form.getByLabel('Description', { exact: true }).inputValue()).toBe('Dépôt hors de ma commune');
    await page.context().close();
  });

  it('when the referent clicks an OPH parcel of Noyer Renard and reports a dépôt sauvage with a photo, then the reference, the OPH service, the reason and the deadlines are shown', async () => {
    const page = await people.signIn(COMMUNE_USER);
    await page.goto(`/?c=${spot[0]},${spot[1]}&z=17`);
    await waitForMapReady(page);
    await clickMapAt(page, spot[0], spot[1]);
    await page.getByTestId('lookup-panel').getByTestId('services').waitFor();
    await page.getByRole('button', { name: 'Signaler un dysfonctionnement ici' }).click();

    const form = page.getByTestId('report-panel');
    expect(await form.getByTestId('report-place').textContent()).toContain('Noyer Renard');
    // sent empty: both fields say what is missing; each message goes as soon as its field is corrected
    await form.getByRole('button', { name: 'Envoyer le signalement' }).click();
    await form.locator('#report-category-error').waitFor();
    await form.locator('#report-description-error').waitFor();
    await form.getByLabel('Catégorie').selectOption({ label: CATEGORY });
    await form.locator('#report-category-error').waitFor({ state: 'detached' });
    expect(await form.locator('#report-description-error').count()).toBe(1);
    await form.getByLabel('Description', { exact: true }).fill(DESCRIPTION);
    await form.locator('#report-description-error').waitFor({ state: 'detached' });
    expect(await form.getByLabel('Description', { exact: true }).getAttribute('aria-invalid')).toBeNull();
    await form.getByLabel('Photo (facultative)').setInputFiles({ name: 'depot.png', mimeType: 'image/png', buffer: PNG });
    await form.getByLabel('Signalement urgent').check();
    expect(await form.getByLabel('Critère d’urgence').isVisible()).toBe(true); // urgent → a criterion is required
    await form.getByLabel('Signalement urgent').uncheck();
    await form.getByRole('button', { name: 'Envoyer le signalement' }).click();

    const created = form.getByTestId('report-created');
    await created.waitFor();
    reference = /GUP-\d{4}-\d{6}/.exec((await created.getByRole('heading').textContent()) ?? '')?.[0] ?? '';
    expect(reference).not.toBe('');
    expect(await created.getByTestId('routed-service').textContent()).toContain(OPH_SERVICE);
    expect((await created.getByTestId('routed-reason').textContent())?.length).toBeGreaterThan(10);
    const frenchDate = /\d{1,2} [a-zéû]+ \d{4} à \d{2}:\d{2}/;
    expect(await created.getByTestId('ack-due').textContent()).toMatch(frenchDate);
    expect(await created.getByTestId('resolve-due').textContent()).toMatch(frenchDate);
  });

  it('when the OPH agent opens the queue, acknowledges the report and resolves it with an answer, then its status is "Traité"', async () => {
    const page = await people.signIn(OPH_AGENT);
    await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Signalements' }).click();
    await page.getByRole('heading', { name: `File du service : ${OPH_SERVICE}` }).waitFor();
    await page.getByRole('link', { name: reference }).click();
    await page.getByTestId('report-reference').filter({ hasText: reference }).waitFor();
    expect(await page.getByTestId('report-description').textContent()).toBe(DESCRIPTION);
    expect(await page.getByTestId('report-photos').getByRole('img').count()).toBe(1);
    const status = page.getByTestId('report-status');
    expect(await status.textContent()).toContain('Transmis');

    const actions = page.getByTestId('report-actions');
    await actions.getByRole('button', { name: 'Prendre en compte', exact: true }).click();
    await actions.getByRole('button', { name: 'Confirmer : Prendre en compte' }).click();
    await expect.poll(() => status.textContent()).toContain('Pris en compte');

    await actions.getByRole('button', { name: 'Marquer comme traité', exact: true }).click();
    await actions.getByRole('button', { name: 'Confirmer : Marquer comme traité' }).click();
    expect(await actions.getByText('Ce champ est obligatoire.').isVisible()).toBe(true); // the answer is mandatory
    await actions.getByLabel('Réponse à la commune (ce qui a été fait)').fill(ANSWER);
    await actions.getByRole('button', { name: 'Confirmer : Marquer comme traité' }).click();
    await expect.poll(() => status.textContent()).toContain('Traité');
  });

  it('when the referent opens the report from the commune\'s list, then the OPH answer is on the page and the report may be closed or reopened', async () => {
    const page = await people.signIn(COMMUNE_USER);
    await page.goto('/signalements?status=resolved');
    await page.getByRole('heading', { name: 'Signalements d\'Athis-Mons' }).waitFor();
    expect(await page.getByLabel('Statut').inputValue()).toBe('resolved');
    expect(await page.getByTestId('csv-link').getAttribute('href')).toMatch(/status=resolved.*format=csv/);
    await page.getByRole('link', { name: reference }).click();

    const answer = page.getByTestId('timeline').locator('li.answer');
    await answer.waitFor();
    expect(await answer.textContent()).toContain(ANSWER);
    expect(await answer.textContent()).toContain('Service gestionnaire');
    expect(await page.getByTestId('report-status').textContent()).toContain('Traité');
    // a dépôt sauvage is copied to the EPT's waste service: the report page says so
    expect(await page.getByTestId('report-copies').textContent()).toContain('Direction prévention et gestion des déchets');
    const actions = page.getByTestId('report-actions');
    expect(await actions.getByRole('button', { name: 'Clore', exact: true }).isVisible()).toBe(true);
    expect(await actions.getByRole('button', { name: 'Rouvrir', exact: true }).isVisible()).toBe(true);
    expect(await actions.getByRole('button', { name: 'Marquer comme traité' }).count()).toBe(0);
  });

  it('when the referent closes the report rating it 4 out of 5, then the report is "Clos" and shows the rating', async () => {
    const page = await people.signIn(COMMUNE_USER);
    await page.goto('/signalements?status=resolved');
    await page.getByRole('link', { name: reference }).click();
    const actions = page.getByTestId('report-actions');
    await actions.getByRole('button', { name: 'Clore', exact: true }).click();
    const rating = actions.getByRole('group', { name: 'Votre satisfaction (facultatif)' });
    expect(await rating.getByRole('radio', { name: 'Sans note' }).isChecked()).toBe(true);
    await rating.getByRole('radio', { name: '4 — satisfait' }).check();
    await actions.getByLabel('Commentaire (facultatif)').fill('Rapide et propre');
    await actions.getByRole('button', { name: 'Confirmer : Clore' }).click();
    await expect.poll(() => page.getByTestId('report-status').textContent()).toContain('Clos');
    expect(await page.getByTestId('report-satisfaction').textContent()).toBe('4 sur 5');
    expect(await page.getByTestId('report-synthetic').count()).toBe(0); // a real report: no demo label
  });
});
