/**
 * `npm run build`: builds the client (Vite) only when its sources changed since the last build — the fingerprint of
 * CLIENT_BUILD_INPUTS is kept in client/dist beside the build. `npm run build -- --force` builds whatever.
 * Also called by `npm start` (scripts/start.ts) and `npm install` (scripts/prepare.ts).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { fingerprint } from '../server/src/fingerprint.js';

/** What the client build reads, relative to the repository root: its sources and config, the shared rules, the dependencies. */
export const CLIENT_BUILD_INPUTS = [
  'client/src',
  'client/public',
  'client/index.html',
  'client/vite.config.ts',
  'client/tsconfig.json',
  'client/package.json',
  'tsconfig.base.json',
  'server/src/domain',
  'package-lock.json',
] as const;

/** The fingerprint of the sources the build in client/dist was made from (written after a successful build). */
const STAMP = path.join('client', 'dist', '.sources-fingerprint');

/** `vite build` of the client workspace, its output passed through. */
export function viteBuild(root: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', 'build', '-w', '@gup/client'], { cwd: root, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`la construction du client a échoué (code ${code})`))));
  });
}

/**
 * Builds the client when its sources changed (or `force`), then stamps the build with the fingerprint taken before it
 * started (a file edited during the build makes the next check build again). Returns what it did.
 */
export async function buildClientIfChanged(root: string, opts: { force?: boolean; build?: (root: string) => Promise<void> } = {}): Promise<'built' | 'current'> {
  const sources = fingerprint(root, CLIENT_BUILD_INPUTS);
  const stamp = path.join(root, STAMP);
  if (!opts.force && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === sources) return 'current';
  fs.rmSync(stamp, { force: true }); // a build that fails half-way leaves no stamp
  await (opts.build ?? viteBuild)(root);
  fs.writeFileSync(stamp, `${sources}\n`);
  return 'built';
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const root = path.resolve(import.meta.dirname, '..');
  const done = await buildClientIfChanged(root, { force: process.argv.includes('--force') });
  if (done === 'current') console.log('Client à jour (client/dist) : sources inchangées depuis la dernière construction.');
}
