import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remindStaleDirectoryEntries } from '../../server/src/services/directory.js';
import { startMailer, type Mailer } from '../../server/src/services/mailer.js';
import { testContext } from '../support/context.js';
import { api, login } from '../support/http.js';
import { startSmtpReceiver } from '../support/smtp.js';

// DESIGN 3.7: "entries not verified for 6 months are flagged to their organisation" — by the mailer's background loop,
// once per entry and half-year; reading the directory sends nothing.

const REMINDER = '[GUP] Annuaire : fiche « % » à vérifier';
const subjectOf = (name: string) => `[GUP] Annuaire : fiche « ${name} » à vérifier`;

let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let mailer: Mailer | null = null;
let officer: string;

beforeAll(async () => {
  const { db } = await testContext();
  // this file owns the reminders: start from "nobody reminded yet" (whatever earlier files did)
  await db.knex('directory_reminders').del();
  await db.knex('outbox').where('subject', 'like', REMINDER).del();
  smtp = await startSmtpReceiver();
  officer = await login('gup@demo.gup');
});
afterAll(async () => {
  await mailer?.stop();
  await smtp?.stop();
});

describe('directory reminders (DESIGN 3.7)', () => {
  it('when anyone reads the directory, then no reminder is queued nor claimed', async () => {
    const { db } = await testContext();
    const athis = await login('mairie.athis@demo.gup');
    for (const [cookie, qs] of [[officer, ''], [athis, '?q=propreté'], [athis, '?commune=91027'], [officer, '?lon=2.3607182596843446&lat=48.70562509245256']] as const) {
      expect((await api(`/api/directory${qs}`, { cookie })).status, qs).toBe(200);
    }
    expect(Number((await db.knex('outbox').where('subject', 'like', REMINDER).count({ n: '*' }))[0]!.n)).toBe(0);
    expect(Number((await db.knex('directory_reminders').count({ n: '*' }))[0]!.n)).toBe(0);
  });

  it('when the mailer\'s loop runs, then each stale entry\'s service and its agents get one reminder, fresh entries none, and later passes send none again', async () => {
    const { db } = await testContext();
    const entries = (await api('/api/directory', { cookie: officer })).body.entries as { code: string; name: string; email: string | null; stale: boolean }[];
    const stale = entries.filter((e) => e.stale);
    expect(stale.length).toBeGreaterThan(0);
    expect(entries.some((e) => !e.stale)).toBe(true);

    mailer = startMailer(db.knex, pino({ level: 'silent' }), { SMTP_URL: smtp.url, MAIL_INTERVAL_MS: '100' }, [
      { name: 'rappels annuaire', everyMs: 0, run: () => remindStaleDirectoryEntries(db) }, // every pass: the period alone keeps it once
    ])!;
    const reminders = () => smtp.mails.filter((m) => m.subject.startsWith('[GUP] Annuaire : fiche'));
    await expect.poll(() => new Set(reminders().map((m) => m.subject)).size, { timeout: 20_000 }).toBe(stale.length);
    for (let i = 0; i < 3; i++) await mailer.flush();

    const agents = (await db.knex('users').where({ role: 'service_agent', active: true }).whereIn('service_code', stale.map((e) => e.code))
      .select('email', 'service_code')) as { email: string; service_code: string }[];
    for (const e of entries) {
      const to = reminders().filter((m) => m.subject === subjectOf(e.name)).flatMap((m) => m.to).sort();
      const expected = e.stale ? [...new Set([e.email, ...agents.filter((a) => a.service_code === e.code).map((a) => a.email)].filter((x): x is string => !!x))].sort() : [];
      expect(to, e.code).toEqual(expected);
    }
    expect(reminders().find((m) => m.subject === subjectOf('Mission gestion urbaine de proximité'))?.text).toContain('n\'a jamais été vérifiée');
    expect(Number((await db.knex('outbox').where('subject', 'like', REMINDER).whereNot({ status: 'sent' }).count({ n: '*' }))[0]!.n)).toBe(0);
  });
});
