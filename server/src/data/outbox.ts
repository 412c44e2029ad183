import type { Knex } from 'knex';

import { OUTBOX_STATUSES, type OutboxMessage, type OutboxStatus } from '../domain/admin-api.js';

export { OUTBOX_STATUSES, type OutboxStatus };
export type OutboxRow = OutboxMessage;

/** The latest outbox messages (newest first), optionally of one status or one report. */
export async function listOutbox(knex: Knex, f: { status?: OutboxStatus | undefined; reportId?: number | undefined; limit: number }): Promise<OutboxRow[]> {
  const q = knex('outbox as o').leftJoin('reports as r', 'r.id', 'o.report_id')
    .select('o.id', 'o.to_address as to', 'o.subject', 'o.body', 'o.report_id as reportId', 'r.reference', 'o.status', 'o.attempts',
      'o.last_error as lastError', 'o.created_at as createdAt', 'o.sent_at as sentAt', 'o.next_attempt_at as nextAttemptAt')
    .orderBy('o.id', 'desc').limit(f.limit);
  if (f.status) q.where('o.status', f.status);
  if (f.reportId) q.where('o.report_id', f.reportId);
  const rows = await q;
  return rows.map((r: OutboxRow & { id: string | number }) => ({ ...r, id: Number(r.id) }));
}

/** How many messages per status. */
export async function outboxCounts(knex: Knex): Promise<Record<OutboxStatus, number>> {
  const rows = (await knex('outbox').select('status').count({ n: '*' }).groupBy('status')) as { status: OutboxStatus; n: string | number }[];
  const out: Record<OutboxStatus, number> = { pending: 0, sent: 0, failed: 0 };
  for (const r of rows) out[r.status] = Number(r.n);
  return out;
}

/** A message claimed for sending. */
export interface ClaimedMail { id: string | number; to: string; subject: string; body: string; attempts: number; reportId: number | null }

/**
 * Claims up to `limit` due messages in one statement (`FOR UPDATE SKIP LOCKED` and a lease of `leaseSeconds`), so that
 * several processes never send the same one; each claim counts as an attempt. In id order.
 */
export async function claimDueMail(knex: Knex, limit: number, leaseSeconds: number): Promise<ClaimedMail[]> {
  const { rows } = await knex.raw(
    `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => ?)
     WHERE id IN (
       SELECT id FROM outbox WHERE status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= now())
       ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)
     RETURNING id, to_address AS "to", subject, body, attempts, report_id AS "reportId"`,
    [leaseSeconds, limit],
  );
  return (rows as ClaimedMail[]).sort((a, b) => Number(a.id) - Number(b.id));
}

/**
 * The secret of a one-time password link in a mail's body (`…/mot-de-passe#jeton=<token>`, services/accounts.ts
 * `passwordLink`). Only its hash is stored for checking (password_tokens); the clear one stays in the outbox while the
 * mail waits (without SMTP an admin hands the link over from there), and is masked once the mail is sent.
 */
const LINK_SECRET = '(#jeton=)[A-Za-z0-9_-]+';

/** A message sent: marked so, and the secret of a password link in its body masked (LINK_SECRET). */
export async function markSent(knex: Knex, id: ClaimedMail['id']): Promise<void> {
  await knex('outbox').where({ id }).update({
    status: 'sent', sent_at: knex.fn.now(), last_error: null, next_attempt_at: null,
    body: knex.raw(`regexp_replace(body, ?, '\\1(masqué après envoi)', 'g')`, [LINK_SECRET]),
  });
}

/** A failed attempt: given up (`failed`), or tried again in `retryInSeconds`. */
export async function markFailed(knex: Knex, id: ClaimedMail['id'], error: string, retryInSeconds: number | null): Promise<void> {
  await knex('outbox').where({ id }).update(retryInSeconds === null
    ? { status: 'failed', last_error: error, next_attempt_at: null }
    : { last_error: error, next_attempt_at: knex.raw('now() + make_interval(secs => ?)', [retryInSeconds]) });
}

/** A failed message queued again (attempts reset, due now); false when it is not `failed`. */
export async function requeueFailed(knex: Knex, id: number): Promise<{ to: string; subject: string; attempts: number; lastError: string | null } | null> {
  const { rows } = await knex.raw(
    `UPDATE outbox o SET status = 'pending', attempts = 0, next_attempt_at = NULL
     FROM (SELECT id, attempts, last_error FROM outbox WHERE id = ? AND status = 'failed' FOR UPDATE) old
     WHERE o.id = old.id
     RETURNING o.to_address AS "to", o.subject, old.attempts, old.last_error AS "lastError"`,
    [id],
  );
  return (rows[0] as { to: string; subject: string; attempts: number; lastError: string | null } | undefined) ?? null;
}

/** Whether a message exists. */
export async function outboxExists(knex: Knex, id: number): Promise<boolean> {
  return !!(await knex('outbox').where({ id }).first('id'));
}
