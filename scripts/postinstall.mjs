// `npm install`'s last step: runs scripts/prepare.ts (client build, demo database snapshot) when tsx is installed, and
// never fails the install — without dev dependencies, or if anything goes wrong, `npm start` does the work instead.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
try {
  createRequire(import.meta.url).resolve('tsx');
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join('scripts', 'prepare.ts')], { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) console.warn(`GUP : préparation interrompue (code ${run.status ?? run.signal}) ; npm start fera le travail.`);
} catch {
  console.warn('GUP : tsx absent (dépendances de développement non installées) : préparation ignorée.');
}
