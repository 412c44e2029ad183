/**
 * What `npm start` runs (bundled into server/dist/start.mjs by scripts/start.mjs, or through tsx): builds the client
 * when its sources changed (scripts/client-build.ts), then runs the server (server/src/main.ts) in this same process —
 * one Node start-up, not two. The HTTP workers of cluster mode go straight to the server. The repository root comes
 * from the server's configuration (right from the sources and from the bundle alike).
 */
import cluster from 'node:cluster';
import { paths } from '../server/src/config.js';
import { buildClientIfChanged } from './client-build.js';

if (cluster.isPrimary) await buildClientIfChanged(paths.repoRoot);
await import('../server/src/main.js');
