/**
 * `npm install`'s last step (postinstall): prepares what the first `npm start` would otherwise spend its time on —
 * the server bundle (scripts/server-bundle.mjs), the client build (when its sources changed) and the snapshot of the embedded demo database (when stale: migrations,
 * import of geodata/, demo accounts; node_modules/.cache/gup). Never fails the install: on any error it says what
 * went wrong and `npm start` does the work instead (slower). GUP_SKIP_PREPARE=1 skips it (e.g. a production image).
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildClientIfChanged } from './client-build.js';
import { buildServerBundle, serverBundleIsCurrent } from './server-bundle.mjs';
import { demoSnapshotFile, openDemoInMemory } from '../server/src/demoSnapshot.js';

const root = path.resolve(import.meta.dirname, '..');
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

if (process.env.GUP_SKIP_PREPARE === '1') {
  console.log('GUP : préparation ignorée (GUP_SKIP_PREPARE=1).');
} else {
  let t = performance.now();
  try {
    if (!serverBundleIsCurrent(root)) await buildServerBundle(root);
    console.log('GUP : serveur prêt à démarrer (server/dist/start.mjs).');
  } catch (err) {
    console.warn(`GUP : serveur non empaqueté (${err instanceof Error ? err.message : String(err)}) ; npm start le fera.`);
  }
  t = performance.now();
  try {
    const done = await buildClientIfChanged(root);
    console.log(done === 'built' ? `GUP : client construit (${seconds(t)}).` : 'GUP : client à jour.');
  } catch (err) {
    console.warn(`GUP : client non construit (${err instanceof Error ? err.message : String(err)}) ; npm start le construira.`);
  }
  t = performance.now();
  try {
    const file = demoSnapshotFile();
    if (fs.existsSync(file)) {
      console.log(`GUP : base de démonstration prête (${path.relative(root, file)}).`);
    } else {
      console.log('GUP : préparation de la base de démonstration intégrée (une fois)…');
      const { db } = await openDemoInMemory(file);
      await db.close();
      console.log(`GUP : base de démonstration prête (${path.relative(root, file)}, ${seconds(t)}).`);
    }
  } catch (err) {
    console.warn(`GUP : base de démonstration non préparée (${err instanceof Error ? err.message : String(err)}) ; le premier npm start la créera.`);
  }
}
process.exit(0); // never fail the install
