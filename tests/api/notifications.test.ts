import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendPendingMail, startMailer, transportFromUrl, type MailTransport, type SendOptions } from '../../server/src/services/mailer.js';
import { testContext } from '../support/context.js';
import { DEMO, pointIn } from '../support/geo.js';
import { api, login } from '../support/http.js';
import { postReport, reportBody } from '../support/reports.js';
import { startSmtpReceiver } from '../support/smtp.js';

let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let transport: MailTransport;
let athis: string;
let oph: string;
let admin: string;

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  transport = transportFromUrl(smtp.url);
  athis = await login('mairie.athis@demo.gup');
  oph = await login('oph@demo.gup');
  admin = await login('admin@demo.gup');
});
afterAll(async () => {
  transport?.close?.();
  await smtp?.stop();
});

/** Sends everything due (the whole shared test database's outbox, batch after batch). */
async function drain(t: MailTransport = transport, opts: SendOptions = {}) {
  const { db } = await testContext();
  const total = { sent: 0, retry: 0, failed: 0 };
  for (;;) {
    const r = await sendPendingMail(db.knex, t, { batchSize: 100, ...opts });
    total.sent += r.sent; total.retry += r.retry; total.failed += r.failed;
    if (r.claimed === 0) return total;
  }
}

const mailsAbout = (reference: string) => smtp.mails.filter((m) => m.subject.includes(reference));
const outboxOf = async (reportId: number) => (await testContext()).db.knex('outbox').where({ report_id: reportId }).orderBy('id');

describe('notifications through a real SMTP server', () => {
  it('when a report is filed, then the routed service and the services in copy receive it, with the reference in the subject', async () => {
    const [lon, lat] = await pointIn(DEMO.jointEptAthis); // EPT land (lead) shared with Athis-Mons
    const res = await postReport(athis, reportBody(lon, lat));
    expect(res.status).toBe(201);
    const { reference, id } = res.body;
    expect((await outboxOf(id)).every((r: any) => r.status === 'pending')).toBe(true);

    const sent = await drain();
    expect(sent.sent).toBeGreaterThanOrEqual(3);
    const mails = mailsAbout(reference);
    expect(mails.flatMap((m) => m.to).sort()).toEqual(['ctt@example.org', 'dechets@example.org', 'proprete.athis@example.org']);
    const main = mails.find((m) => m.to.includes('ctt@example.org'))!;
    expect(main.subject).toBe(`[GUP] ${reference} — Dépôt sauvage, encombrants`);
    expect(main.text).toContain('Athis-Mons');
    expect(main.headers['x-gup-report-id']).toBe(String(id));
    expect(mails.find((m) => m.to.includes('dechets@example.org'))!.subject).toContain('Copie');
    for (const row of await outboxOf(id)) expect(row).toMatchObject({ status: 'sent', attempts: 1, last_error: null, sent_at: expect.anything() });
  });

  it('when the service acknowledges then resolves with an answer, then the commune user receives each status, with the answer', async () => {
    const [lon, lat] = await pointIn(DEMO.landlordOph);
    const { body: created } = await postReport(athis, reportBody(lon, lat));
    expect((await api(`/api/reports/${created.id}/transitions`, { body: { to: 'acknowledged' }, cookie: oph })).status).toBe(200);
    expect((await api(`/api/reports/${created.id}/transitions`, { body: { to: 'resolved', comment: 'Encombrants enlevés ce matin par l\'équipe de proximité' }, cookie: oph })).status).toBe(200);
    await drain();
    const toCommune = mailsAbout(created.reference).filter((m) => m.to.includes('mairie.athis@demo.gup'));
    expect(toCommune.map((m) => m.subject)).toEqual([`[GUP] ${created.reference} : Pris en compte`, `[GUP] ${created.reference} : Traité`]);
    expect(toCommune[1]!.text).toContain('Réponse : Encombrants enlevés ce matin par l\'équipe de proximité');
    expect(mailsAbout(created.reference).some((m) => m.to.includes('proximite@oph.example.org'))).toBe(true);
  });

  it('when the SMTP server is unreachable, then the report is still filed, the messages wait with the error, and go out on a later pass', async () => {
    await drain();
    const dead = await startSmtpReceiver();
    await dead.stop(); // a port where nothing listens any more
    const deadTransport = transportFromUrl(dead.url);
    const [lon, lat] = await pointIn(DEMO.landlordOph);
    const started = Date.now();
    const res = await postReport(athis, reportBody(lon, lat));
    expect(res.status).toBe(201);
    expect(Date.now() - started).toBeLessThan(5000);

    const failed = await drain(deadTransport);
    expect(failed.sent).toBe(0);
    expect(failed.retry).toBeGreaterThanOrEqual(2);
    const waiting = await outboxOf(res.body.id);
    for (const row of waiting) {
      expect(row).toMatchObject({ status: 'pending', attempts: 1, sent_at: null });
      expect(row.last_error).toMatch(/ECONNREFUSED|connect/i);
      expect(new Date(row.next_attempt_at).getTime()).toBeGreaterThan(Date.now() + 30_000); // not before a minute
    }
    expect((await drain()).sent).toBe(0); // not due yet
    // a minute later (simulated): the next pass delivers
    const { db } = await testContext();
    await db.knex('outbox').where({ report_id: res.body.id }).update({ next_attempt_at: db.knex.raw(`now() - interval '1 second'`) });
    expect((await drain()).sent).toBe(waiting.length);
    expect(mailsAbout(res.body.reference)).toHaveLength(waiting.length);
    for (const row of await outboxOf(res.body.id)) expect(row).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('when the SMTP server refuses a recipient for good, or the attempts run out, then the message is marked failed', async () => {
    await drain();
    smtp.reject('proximite@oph.example.org');
    const [lon, lat] = await pointIn(DEMO.landlordOph);
    const res = await postReport(athis, reportBody(lon, lat));
    expect((await drain()).failed).toBe(1);
    const rows = await outboxOf(res.body.id);
    const refused = rows.find((r: any) => r.to_address === 'proximite@oph.example.org');
    expect(refused).toMatchObject({ status: 'failed', attempts: 1 });
    expect(refused.last_error).toContain('550');
    expect(rows.filter((r: any) => r.status === 'sent').length).toBe(rows.length - 1); // the copy still went

    const dead = await startSmtpReceiver();
    await dead.stop();
    const second = await postReport(athis, reportBody(lon, lat, { category: 'graffiti' }));
    const out = await drain(transportFromUrl(dead.url), { maxAttempts: 1 });
    expect(out.failed).toBeGreaterThanOrEqual(1);
    expect((await outboxOf(second.body.id)).every((r: any) => r.status === 'failed')).toBe(true);
  });

  it('when two senders run at once, then each message goes out exactly once', async () => {
    await drain();
    const [lon, lat] = await pointIn(DEMO.jointEptAthis);
    const refs: string[] = [];
    for (let i = 0; i < 5; i++) refs.push((await postReport(athis, reportBody(lon, lat, { description: `Envoi concurrent ${i}` }))).body.reference);
    const { db } = await testContext();
    const other = transportFromUrl(smtp.url);
    await Promise.all([drain(transport, { batchSize: 3 }), drain(other, { batchSize: 3 })]);
    other.close?.();
    const ids = refs.flatMap((r) => mailsAbout(r)).map((m) => m.headers['x-gup-outbox-id']);
    expect(ids.length).toBe(15); // 5 reports × (service + 2 copies)
    expect(new Set(ids).size).toBe(ids.length);
    expect(Number((await db.knex('outbox').whereIn('id', ids.map(Number)).where({ status: 'sent' }).count({ n: '*' }))[0]!.n)).toBe(15);
  });

  it('when the mailer runs in the background with SMTP_URL, then new messages go out without anyone asking', async () => {
    const { db } = await testContext();
    expect(startMailer(db.knex, pino({ level: 'silent' }), {})).toBeNull(); // no SMTP_URL: messages are kept
    await drain();
    const mailer = startMailer(db.knex, pino({ level: 'silent' }), { SMTP_URL: smtp.url, MAIL_INTERVAL_MS: '100', MAIL_FROM: 'GUP test <gup@test.invalid>' })!;
    try {
      const [lon, lat] = await pointIn(DEMO.jointEptAthis);
      const res = await postReport(athis, reportBody(lon, lat, { category: 'mobilier_degrade' }));
      const deadline = Date.now() + 10_000;
      while (mailsAbout(res.body.reference).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const mails = mailsAbout(res.body.reference);
      expect(mails.length).toBeGreaterThan(0);
      expect(mails[0]!.from).toBe('gup@test.invalid');
    } finally {
      await mailer.stop();
    }
  });
});

describe('admin outbox', () => {
  it('when an admin opens the outbox, then the latest messages are listed with their delivery state; others get 403', async () => {
    const [lon, lat] = await pointIn(DEMO.landlordOph);
    const res = await postReport(athis, reportBody(lon, lat));
    const list = await api(`/api/admin/outbox?report=${res.body.id}`, { cookie: admin });
    expect(list.status).toBe(200);
    expect(list.body.delivery).toBe('kept'); // the test server has no SMTP_URL
    expect(list.body.counts.pending).toBeGreaterThan(0);
    expect(list.body.messages.length).toBeGreaterThan(0);
    expect(list.body.messages[0]).toMatchObject({ reportId: res.body.id, reference: res.body.reference, status: 'pending', attempts: 0 });
    expect(list.body.messages[0].subject).toContain(res.body.reference);
    const latest = await api('/api/admin/outbox?limit=5', { cookie: admin });
    expect(latest.body.messages.length).toBe(5);
    expect(latest.body.messages[0].id).toBeGreaterThan(latest.body.messages[4].id);
    expect((await api('/api/admin/outbox?status=bogus', { cookie: admin })).status).toBe(400);
    expect((await api('/api/admin/outbox', { cookie: athis })).status).toBe(403);
    expect((await api('/api/admin/outbox', { cookie: oph })).status).toBe(403);
    expect((await api('/api/admin/outbox')).status).toBe(401);
  });
});
