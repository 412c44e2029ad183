/**
 * The GUP server for the benchmarks, in its own process (so that the load generator does not share its event loop):
 * the real app (createApp) on 127.0.0.1, a random port, with a silent logger. Started by bench/lib/server.ts through
 * `fork`; reports `{ port }` over IPC, stops on "stop" or when the parent goes away.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { createApp } from '../../server/src/app.js';
import { loadConfig } from '../../server/src/config.js';
import { openDatabase } from '../../server/src/data/db.js';
import { variantHandler, type Variant } from './variants.js';

const url = process.env.GUP_BENCH_SERVER_DATABASE_URL;
if (!url || !process.send) {
  console.error('server-child: GUP_BENCH_SERVER_DATABASE_URL and an IPC channel are required (start it through bench/lib/server.ts)');
  process.exit(2);
}
const db = await openDatabase({ databaseUrl: url });
// a diagnostic variant (bench/lib/variants.ts) when asked, else the real app
const variant = process.env.GUP_BENCH_VARIANT as Variant | undefined;
const handler = variant
  ? await variantHandler(variant, db, url, JSON.parse(process.env.GUP_BENCH_FIXED_ANSWER ?? '{}'))
  : createApp({ db, config: { ...loadConfig({}), databaseUrl: url, demo: false }, log: pino({ level: 'silent' }) });
const server = http.createServer(handler);
server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));

const stop = async () => {
  server.closeAllConnections();
  server.close();
  await db.close();
  process.exit(0);
};
process.on('message', (m) => { if (m === 'stop') void stop(); });
process.on('disconnect', () => void stop());
