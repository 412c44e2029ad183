import http from 'node:http';
import { pino } from 'pino';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { openDatabase } from './data/db.js';
import { loadDemoIfEmpty } from './demo.js';
import { startMailer } from './services/mailer.js';

const config = loadConfig();
const log = pino({ level: config.logLevel });
log.info(config.databaseUrl ? 'Connexion à PostgreSQL…' : `Base PostGIS intégrée (PGlite) dans ${config.dataDir}…`);
const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
log.info({ engine: db.engine, postgis: db.postgisVersion, mvt: db.hasMvt ? 'ST_AsMVT' : 'node' }, 'base prête, migrations appliquées');
if (config.demo) await loadDemoIfEmpty(db.knex, (m) => log.info(m));

const app = createApp({ db, config, log });
const server = http.createServer(app).listen(config.port, () => log.info(`GUP prêt : http://localhost:${config.port}`));
const mailer = startMailer(db.knex, log); // notifications: sent in the background when SMTP_URL is set

const shutdown = async (signal: string) => {
  log.info(`${signal} : arrêt`);
  server.close();
  await mailer?.stop();
  await db.close();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
