/**
 * Notifications: the `outbox` table is written in the same transaction as the report change that causes a message
 * (services/reports.ts); this module delivers it. With `SMTP_URL` set (e.g. `smtp://user:pass@mail.example.org:587`),
 * a background loop started by server/src/main.ts sends pending rows, marks them `sent`, and retries failures later
 * with a growing delay, giving up (`failed`) after a few attempts or when the server refuses the recipient for good.
 * Without `SMTP_URL` the rows stay `pending` (kept): admins read them through `GET /api/admin/outbox`, and they go out
 * once an SMTP server is configured. Requests never wait for mail.
 */
import type { Knex } from 'knex';
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import { claimDueMail, markFailed, markSent } from '../data/outbox.js';
import { oneLine } from '../domain/text.js';

/** What the sender needs of a transport (a nodemailer transporter, or anything alike). */
export interface MailTransport {
  sendMail(message: { from: string; to: string; subject: string; text: string; headers?: Record<string, string> }): Promise<unknown>;
  close?(): void;
}

export interface SendOptions {
  /** Sender address (MAIL_FROM). */
  from?: string;
  /** Rows claimed per call (default 50). */
  batchSize?: number;
  /** Attempts before giving up (default 8). */
  maxAttempts?: number;
  /** How long a claimed row is reserved for this sender; a crash mid-send frees it after that (default 600 s). */
  leaseSeconds?: number;
}

export interface SendResult {
  claimed: number;
  sent: number;
  /** Failed this time, to be tried again later. */
  retry: number;
  /** Given up. */
  failed: number;
}

export const DEFAULT_FROM = 'GUP <ne-pas-repondre@gup.invalid>';
const DEFAULT_MAX_ATTEMPTS = 8;

/**
 * Delay before the next attempt after `attempts` failed ones: 1 min, 2, 4… capped at 1 hour.
 * @example retryDelaySeconds(1) // 60
 */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(3600, 60 * 2 ** Math.max(0, attempts - 1));
}

/** An SMTP refusal that no retry will change: every recipient rejected with a 5xx code. */
function isPermanent(err: unknown): boolean {
  const e = err as { responseCode?: number; command?: string; code?: string };
  return (e.code === 'EENVELOPE' || e.command === 'RCPT TO') && typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 1000);

/**
 * Sends one batch of due outbox rows through `transport`. Rows are claimed in one statement (`FOR UPDATE SKIP LOCKED`
 * and a lease), so several server processes never send the same row twice, and no transaction stays open while
 * talking to the SMTP server. Returns what happened; call again while `claimed` equals the batch size.
 */
export async function sendPendingMail(knex: Knex, transport: MailTransport, opts: SendOptions = {}): Promise<SendResult> {
  const batchSize = opts.batchSize ?? 50;
  const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const claimed = await claimDueMail(knex, batchSize, opts.leaseSeconds ?? 600);
  const result: SendResult = { claimed: claimed.length, sent: 0, retry: 0, failed: 0 };
  for (const m of claimed) {
    try {
      await transport.sendMail({
        from: opts.from ?? DEFAULT_FROM, to: m.to, subject: oneLine(m.subject), text: m.body, // a header: one line, whatever its source
        headers: { 'X-GUP-Outbox-Id': String(m.id), ...(m.reportId ? { 'X-GUP-Report-Id': String(m.reportId) } : {}) },
      });
      await markSent(knex, m.id);
      result.sent++;
    } catch (err) {
      const giveUp = isPermanent(err) || m.attempts >= maxAttempts;
      await markFailed(knex, m.id, errorText(err), giveUp ? null : retryDelaySeconds(m.attempts));
      if (giveUp) result.failed++;
      else result.retry++;
    }
  }
  return result;
}

/** A nodemailer SMTP transport for `SMTP_URL` (short timeouts: a dead server delays the queue, never a request). */
export function transportFromUrl(url: string): MailTransport {
  return nodemailer.createTransport({ url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
}

/** How messages leave: through SMTP when `SMTP_URL` is set, else they are kept in the outbox. */
export function mailDelivery(env: NodeJS.ProcessEnv = process.env): 'smtp' | 'kept' {
  return env.SMTP_URL?.trim() ? 'smtp' : 'kept';
}

/**
 * Work that produces mail on a schedule rather than on a request (e.g. the directory's reminders), run by the mailer's
 * loop before it drains the outbox, at most every `everyMs`. It queues rows in the outbox; the same pass sends them.
 */
export interface MailJob {
  name: string;
  everyMs: number;
  run: () => Promise<unknown>;
}

export interface Mailer {
  /** Runs one pass now (drains what is due). */
  flush(): Promise<SendResult>;
  stop(): Promise<void>;
}

/**
 * Starts the background sender when `SMTP_URL` is set (returns null otherwise): every `MAIL_INTERVAL_MS` (default
 * 5 s) it runs the `jobs` that are due, then drains the due rows. Errors (database or SMTP) are logged and retried on
 * the next pass (a failed job on its next turn).
 */
export function startMailer(knex: Knex, log: Logger, env: NodeJS.ProcessEnv = process.env, jobs: readonly MailJob[] = []): Mailer | null {
  const url = env.SMTP_URL?.trim();
  if (!url) {
    log.info('SMTP_URL absent : les notifications restent dans la boîte d\'envoi (GET /api/admin/outbox)');
    return null;
  }
  const transport = transportFromUrl(url);
  const opts: SendOptions = { from: env.MAIL_FROM?.trim() || DEFAULT_FROM };
  const intervalMs = Number(env.MAIL_INTERVAL_MS ?? 5000);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<SendResult> | undefined;
  const lastRun = new Map<MailJob, number>();

  const runDueJobs = async () => {
    for (const job of jobs) {
      if (stopped || Date.now() - (lastRun.get(job) ?? -Infinity) < job.everyMs) continue;
      lastRun.set(job, Date.now());
      try {
        await job.run();
      } catch (err) {
        log.warn({ err, job: job.name }, 'tâche de fond en échec ; nouvel essai à son prochain tour');
      }
    }
  };
  const drain = async (): Promise<SendResult> => {
    await runDueJobs();
    const total: SendResult = { claimed: 0, sent: 0, retry: 0, failed: 0 };
    for (let round = 0; round < 20 && !stopped; round++) {
      const r = await sendPendingMail(knex, transport, opts);
      for (const k of Object.keys(total) as (keyof SendResult)[]) total[k] += r[k];
      if (r.claimed < (opts.batchSize ?? 50)) break;
    }
    if (total.claimed) log.info(total, 'notifications envoyées');
    if (total.retry || total.failed) log.warn(total, 'notifications en échec');
    return total;
  };
  const pass = (): Promise<SendResult> => {
    running ??= drain()
      .catch((err: unknown) => {
        log.warn({ err }, 'envoi des notifications interrompu ; nouvel essai au prochain passage');
        return { claimed: 0, sent: 0, retry: 0, failed: 0 };
      })
      .finally(() => { running = undefined; });
    return running;
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void pass().then(schedule), intervalMs);
    timer.unref();
  };
  log.info({ smtp: redactUrl(url), intervalMs }, 'envoi des notifications par SMTP');
  schedule();
  return {
    flush: pass,
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      transport.close?.();
    },
  };
}

const redactUrl = (url: string) => {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'SMTP_URL illisible';
  }
};
