import cluster from 'node:cluster';
import http from 'node:http';
import { pino } from 'pino';
import { createApp } from './app.js';
import { runWorker, startWorkers } from './cluster.js';
import { loadConfig } from './config.js';
import { openDatabase } from './data/db.js';
import { applyDemoMode } from './demo.js';
import { openEmbeddedDemo } from './demoSnapshot.js';
import { remindStaleDirectoryEntries } from './services/directory.js';
import { startMailer } from './services/mailer.js';

const config = loadConfig();
const log = pino({ level: config.logLevel });

if (cluster.isWorker) {
  // one of the HTTP workers of cluster mode (server/src/cluster.ts)
  const { server, db } = await runWorker(config, log.child({ worker: cluster.worker?.id }));
  process.on('SIGTERM', () => server.close(() => void db.close().then(() => process.exit(0))));
  process.on('SIGINT', () => { /* the primary stops the workers */ });
} else {
  log.info(config.databaseUrl ? 'Connexion à PostgreSQL…' : `Base PostGIS intégrée (PGlite) dans ${config.dataDir}…`);
  // demo mode on the embedded database: an empty data folder starts from the prepared snapshot (server/src/demoSnapshot.ts)
  const opened = config.demo && !config.databaseUrl ? await openEmbeddedDemo(config.dataDir) : null;
  if (opened?.start.from === 'snapshot') log.info(`base de démonstration copiée depuis ${opened.start.file}`);
  const db = opened?.db ?? await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, statementTimeoutMs: config.statementTimeoutMs });
  log.info({ engine: db.engine, postgis: db.postgisVersion, mvt: db.hasMvt ? 'ST_AsMVT' : 'node' }, 'base prête, migrations appliquées');
  await applyDemoMode(db, config.demo, (m) => log.info(m)); // outside demo mode, no demo account signs in

  let stopServing: () => Promise<void>;
  if (config.workers > 1) {
    const workers = startWorkers(config.workers, log);
    void workers.ready.then(() => log.info(`GUP prêt : http://localhost:${config.port} (${config.workers} processus)`));
    stopServing = () => workers.stop();
  } else {
    const server = http.createServer(createApp({ db, config, log })).listen(config.port, () => log.info(`GUP prêt : http://localhost:${config.port}`));
    stopServing = async () => { server.close(); };
  }
  // notifications: sent in the background when SMTP_URL is set; the directory's reminders are queued by the same loop
  const mailer = startMailer(db.knex, log, process.env, [{ name: 'rappels annuaire', everyMs: 3_600_000, run: () => remindStaleDirectoryEntries(db) }]);

  const shutdown = async (signal: string) => {
    log.info(`${signal} : arrêt`);
    await stopServing();
    await mailer?.stop();
    await db.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
