/**
 * The action plan in pages (`/plan-actions`), in Chromium: an officer whose plan holds more items than one page sees one
 * page of the table (the server's first page, in its order) and moves to the next one from the keyboard; axe-core finds
 * no violation; on a phone (390 px) the page does not scroll sideways. The test's bulk items are removed after it (the
 * test files share one database). Needs the built client (`npm run build`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../support/context.js';
import { api, login } from '../support/http.js';
import { axeViolations, horizontalOverflow, PHONE, startPeople, type People } from './support.js';

const OFFICER = 'gup@demo.gup';
const BULK = 'Action du test de pagination';
const PAGE = 50; // the DataTable's page size
const POLL = { timeout: 30_000, interval: 200 };
let people: People;

type Item = { id: number };
const shownIds = (rows: { evaluateAll<R>(f: (trs: Element[]) => R): Promise<R> }) => rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-id'))));

beforeAll(async () => {
  const { db } = await testContext();
  const author = await db.knex('users').where({ email: OFFICER }).first('id');
  await db.knex.raw(
    `INSERT INTO action_items (title, commune_insee, origin, status, due_on, created_by)
     SELECT ? || ' ' || n, '91326', 'committee', 'planned', '2031-03-01'::date + n, ? FROM generate_series(1, ?) n`,
    [BULK, author.id, PAGE + 20],
  );
  people = await startPeople();
});

afterAll(async () => {
  await people?.close();
  const { db } = await testContext();
  await db.knex('action_items').where('title', 'like', `${BULK} %`).delete();
});

describe('the action plan, one page at a time', { timeout: 90_000 }, () => {
  it('when an officer\'s plan holds more items than a page, then the page shows the first page only, and the keyboard reaches the next one', async () => {
    const cookie = await login(OFFICER);
    const first = (await api(`/api/actions?limit=${PAGE}&offset=0`, { cookie })).body;
    const second = (await api(`/api/actions?limit=${PAGE}&offset=${PAGE}`, { cookie })).body;
    expect(first.total).toBeGreaterThan(PAGE);

    const page = await people.signIn(OFFICER);
    await page.goto('/plan-actions');
    const rows = page.getByTestId('actions').locator('tbody tr');
    await expect.poll(() => rows.count(), POLL).toBe(PAGE);
    expect(await shownIds(rows)).toEqual(first.actions.map((a: Item) => a.id));
    const pager = page.getByRole('navigation', { name: 'Pagination : Actions du plan' });
    expect(await pager.getByText(`1–${PAGE} sur ${first.total}`).isVisible()).toBe(true);
    expect(await pager.getByRole('button', { name: /Page précédente/ }).isDisabled()).toBe(true);

    // « next » from the keyboard
    await pager.getByRole('button', { name: /Page suivante/ }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await shownIds(rows))[0], POLL).toBe(second.actions[0].id);
    expect(await shownIds(rows)).toEqual(second.actions.map((a: Item) => a.id));
    expect(await pager.getByText(`${PAGE + 1}–${Math.min(2 * PAGE, first.total)} sur ${first.total}`).isVisible()).toBe(true);
    expect(await pager.getByRole('button', { name: /Page précédente/ }).isEnabled()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.textContent ?? '')).toMatch(/Page suivante/); // the focus stays on the pager
    expect(await axeViolations(page)).toEqual([]);

    // a filter starts again from the first page
    await page.getByLabel('Statut', { exact: true }).selectOption('planned');
    const planned = (await api(`/api/actions?status=planned&limit=${PAGE}&offset=0`, { cookie })).body;
    await expect.poll(async () => (await shownIds(rows))[0], POLL).toBe(planned.actions[0].id);
    expect(await pager.getByText(`1–${PAGE} sur ${planned.total}`).isVisible()).toBe(true);
  });

  it('when the officer opens the action plan on a phone, then one page of items is shown as cards and nothing scrolls sideways', async () => {
    const page = await people.signIn(OFFICER, PHONE);
    await page.goto('/plan-actions');
    const rows = page.getByTestId('actions').locator('tbody tr');
    await expect.poll(() => rows.count(), POLL).toBe(PAGE);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    expect(await page.getByRole('button', { name: /Page suivante/ }).isVisible()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
  });
});
