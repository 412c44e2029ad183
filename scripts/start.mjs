// `npm start`: runs the server from its prebuilt bundle (scripts/server-bundle.mjs), rebuilding it first when a source
// changed; then scripts/start.ts runs inside the bundle (client built when its sources changed, then the server).
// Without esbuild, or if the bundle cannot be built, the sources run through tsx as before (slower start, same server).
// The HTTP workers of cluster mode run this file again (cluster.fork): they only use a current bundle, never build one.
import cluster from 'node:cluster';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildServerBundle, SERVER_BUNDLE, serverBundleIsCurrent } from './server-bundle.mjs';

const root = path.resolve(import.meta.dirname, '..');
let current = serverBundleIsCurrent(root);
if (!current && cluster.isPrimary) {
  try {
    await buildServerBundle(root);
    current = true;
  } catch (err) {
    console.warn(`GUP : serveur lancé depuis ses sources TypeScript (paquet non construit : ${err instanceof Error ? err.message : String(err)}).`);
  }
}
if (current) {
  await import(pathToFileURL(path.join(root, SERVER_BUNDLE)).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./start.ts');
}
