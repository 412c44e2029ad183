/**
 * Cluster mode (PostgreSQL only): the primary process prepares the database (migrations, demo data), sends the
 * notifications and counts failed logins; GUP_WORKERS worker processes (one per CPU by default) serve HTTP on the
 * same port, which the primary hands out to them in turn.
 *
 * Why: one Node process runs its JavaScript on one core. On the 2-core reference machine a single process capped
 * the lookup API below the issue 3 target while the second core waited (bench/lookup.ts); the workers use them all.
 *
 * What stays right with several processes:
 * - sessions: each worker caches session → user for a few seconds (data/sessions.ts, in its database context); a write to sessions or users
 *   in one worker (logout, deactivation) is relayed by the primary to the others, which empty their caches;
 * - failed logins are counted once for the server (the rate limiter's store lives in the primary);
 * - the outbox is drained by the primary only (one mailer); everything else lives in PostgreSQL;
 * - a worker that dies is replaced; SIGTERM stops the workers, then the primary.
 * The embedded database (PGlite) lives inside one process: it always runs a single process (config.workers = 1).
 */
import cluster, { type Worker } from 'node:cluster';
import http from 'node:http';
import { ClusterMemoryStorePrimary } from '@express-rate-limit/cluster-memory-store';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import type { ServerConfig } from './config.js';
import { openDatabase, type Database } from './data/db.js';
import { connectSessionPeers } from './data/sessions.js';

/** The IPC message a worker sends (and receives) when sessions or users changed. */
const SESSIONS_CHANGED = 'gup:sessions-changed';

const isSessionsChanged = (m: unknown) => typeof m === 'object' && m !== null && (m as { type?: unknown }).type === SESSIONS_CHANGED;

/**
 * Primary: forks `count` workers, relays session invalidations between them, replaces those that die (but gives up,
 * exiting with an error, when they keep dying: 10 deaths within a minute is a configuration problem, not bad luck).
 * `ready` resolves once every worker listens.
 */
export function startWorkers(count: number, log: Logger): { ready: Promise<void>; stop(): Promise<void> } {
  new ClusterMemoryStorePrimary().init(); // the login rate limiter's counts, for every worker
  let stopping = false;
  const deaths: number[] = [];
  cluster.on('message', (from: Worker, message: unknown) => {
    if (!isSessionsChanged(message)) return;
    for (const w of Object.values(cluster.workers ?? {})) if (w && w !== from && w.isConnected()) w.send({ type: SESSIONS_CHANGED });
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    const now = Date.now();
    deaths.push(now);
    while (deaths.length && deaths[0]! < now - 60_000) deaths.shift();
    if (deaths.length >= 10) {
      log.fatal({ code, signal }, 'les workers s\'arrêtent sans cesse : arrêt du serveur');
      process.exit(1);
    }
    log.error({ pid: worker.process.pid, code, signal }, 'worker arrêté : remplacé');
    cluster.fork();
  });
  const ready = new Promise<void>((resolve) => {
    let listening = 0;
    const onListening = () => { if (++listening === count) { cluster.off('listening', onListening); resolve(); } };
    cluster.on('listening', onListening);
  });
  for (let i = 0; i < count; i++) cluster.fork();
  return {
    ready,
    stop: async () => {
      stopping = true;
      const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
      await Promise.all(workers.map((w) => new Promise<void>((resolve) => {
        if (w.isDead()) return resolve();
        const timer = setTimeout(() => { w.process.kill('SIGKILL'); }, 10_000);
        w.once('exit', () => { clearTimeout(timer); resolve(); });
        w.process.kill('SIGTERM');
      })));
    },
  };
}

/** Worker: opens its own pool (the primary migrated), serves the app on the shared port, relays session changes. */
export async function runWorker(config: ServerConfig, log: Logger): Promise<{ server: http.Server; db: Database }> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, migrate: false, statementTimeoutMs: config.statementTimeoutMs });
  const receive = connectSessionPeers(db, () => process.send?.({ type: SESSIONS_CHANGED }));
  process.on('message', (m) => { if (isSessionsChanged(m)) receive(); });
  const server = http.createServer(createApp({ db, config, log }));
  await new Promise<void>((resolve) => server.listen(config.port, resolve));
  return { server, db };
}
