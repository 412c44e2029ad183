/**
 * `npm start`: builds the client when its sources changed (scripts/client-build.ts), then runs the server
 * (server/src/main.ts) in this same process — one Node start-up, not two.
 */
import path from 'node:path';
import { buildClientIfChanged } from './client-build.js';

await buildClientIfChanged(path.resolve(import.meta.dirname, '..'));
await import('../server/src/main.js');
