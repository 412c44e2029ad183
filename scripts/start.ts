/**
 * `npm start`: builds the client when its sources changed (scripts/client-build.ts), then runs the server
 * (server/src/main.ts) in this same process — one Node start-up, not two. The HTTP workers of cluster mode run this
 * file again (cluster.fork): they go straight to the server.
 */
import cluster from 'node:cluster';
import path from 'node:path';
import { buildClientIfChanged } from './client-build.js';

if (cluster.isPrimary) await buildClientIfChanged(path.resolve(import.meta.dirname, '..'));
await import('../server/src/main.js');
