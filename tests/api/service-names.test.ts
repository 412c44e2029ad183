import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendPendingMail, type MailTransport } from '../../server/src/services/mailer.js';
import { testContext } from '../support/context.js';
import { api, login } from '../support/http.js';

// Admin-written names that become part of e-mail subjects (services: the directory's reminders; categories: report
// notifications) are refused at write when they hold a line break or a control character, and whatever reaches the
// outbox leaves it with a one-line subject.

let admin: string;
let original: Record<string, any>;
beforeAll(async () => {
  admin = await login('admin@demo.gup');
  const res = await api('/api/admin/config', { cookie: admin });
  expect(res.status).toBe(200);
  original = res.body.config;
});

async function namesAndConfig() {
  const { db } = await testContext();
  const services = await db.knex('services').orderBy('code').select('code', 'name');
  const categories = await db.knex('categories').orderBy('code').select('code', 'name');
  const audits = Number((await db.knex('audit_log').count({ n: '*' }))[0]!.n);
  return { services, categories, audits, config: (await api('/api/admin/config', { cookie: admin })).body.config };
}

describe('service and category names at write', () => {
  const renamed = (list: 'services' | 'categories', name: string) => ({ ...original, [list]: original[list].map((x: any, i: number) => (i === 1 ? { ...x, name } : x)) });

  it.each([
    ['services', 'Propreté\r\nBcc: tous@example.org'],
    ['services', 'Propreté\nurbaine'],
    ['services', 'Propreté\turbaine'],
    ['services', 'Propreté\u2028urbaine'],
    ['categories', 'Dépôt sauvage\r\nBcc: tous@example.org'],
  ] as const)('when an admin names a %s entry with a line break or a control character (%j), then preview and save answer 422 naming the field, and nothing changes', async (list, name) => {
    const before = await namesAndConfig();
    for (const method of ['POST', 'PUT']) {
      const res = await api(method === 'POST' ? '/api/admin/config/preview' : '/api/admin/config', { method, cookie: admin, body: { config: renamed(list, name) } });
      expect(res.status, method).toBe(422);
      expect(res.body.error.details.map((d: { field: string }) => d.field), method).toContain(`${list}.1.name`);
      expect(JSON.stringify(res.body.error.details), method).toContain('une seule ligne');
    }
    expect(await namesAndConfig()).toEqual(before);
  });

  it('when an admin renames a service on one line, then it is saved (the check refuses line breaks only)', async () => {
    const name = `${original.services[1].name} — secteur Nord`;
    expect((await api('/api/admin/config', { method: 'PUT', cookie: admin, body: { config: renamed('services', name) } })).status).toBe(200);
    const { db } = await testContext();
    expect((await db.knex('services').where({ code: original.services[1].code }).first('name')).name).toBe(name);
  });

  afterAll(async () => {
    expect((await api('/api/admin/config', { method: 'PUT', cookie: admin, body: { config: original } })).status).toBe(200);
  });
});

describe('mail subjects when they leave', () => {
  it('when an outbox row\'s subject holds line breaks (whatever wrote it), then the mail is sent with a one-line subject', async () => {
    const { db } = await testContext();
    const subject = '[GUP] Annuaire : fiche « Propreté\r\nBcc: tous@example.org\u2028» à vérifier';
    await db.knex('outbox').insert({ to_address: 'referent@mairie.example.org', subject, body: 'Texte', report_id: null });
    const sent: { to: string; subject: string }[] = [];
    const recorder: MailTransport = { sendMail: async (m) => { sent.push({ to: m.to, subject: m.subject }); } };
    while ((await sendPendingMail(db.knex, recorder, { batchSize: 100 })).claimed > 0) { /* the whole due outbox */ }
    const mine = sent.filter((m) => m.to === 'referent@mairie.example.org' && m.subject.includes('Annuaire'));
    expect(mine.map((m) => m.subject)).toEqual(['[GUP] Annuaire : fiche « Propreté Bcc: tous@example.org » à vérifier']);
    for (const m of sent) expect(m.subject, m.subject).not.toMatch(/[\r\n\u2028\u2029]/);
  });
});
