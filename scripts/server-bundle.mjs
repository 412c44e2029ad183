// The server as one prebuilt ES module (server/dist/start.mjs), so that `npm start` runs plain JavaScript: loading the
// sources through tsx (transpiling on the fly, its loader-hooks thread, source maps) was ~1.1 s of a restart's ~5 s of
// CPU (bench/start.ts, docs/decisions.md "Starting"). Plain JavaScript with JSDoc types: it runs before any TypeScript
// loader exists. The bundle holds GUP's own modules only; the packages stay in node_modules (esbuild `packages:
// external`), so a dependency is resolved exactly as under tsx.
//
// When is the bundle current? esbuild names, in its metafile, every source file it read; beside the bundle we keep
// their sizes and modification times (server/dist/start.inputs.json). Any of them changed, gone, or modified while the
// build ran → the bundle is stale and is rebuilt (~0.5 s). A new source file is always imported by a changed one.
import fs from 'node:fs';
import path from 'node:path';

/** The bundle, relative to the repository root: at the same depth as server/src, so `import.meta.dirname/../..` is the root in both. */
export const SERVER_BUNDLE = path.join('server', 'dist', 'start.mjs');
const INPUTS = path.join('server', 'dist', 'start.inputs.json');
const ENTRY = path.join('scripts', 'start.ts');

/**
 * @typedef {{ size: number, mtimeMs: number }} InputStamp
 * @typedef {{ inputs: Record<string, InputStamp> }} InputsFile
 */

/** True when server/dist/start.mjs exists and none of the sources it was built from changed since. */
export function serverBundleIsCurrent(/** @type {string} */ root) {
  if (!fs.existsSync(path.join(root, SERVER_BUNDLE))) return false;
  /** @type {InputsFile} */
  let recorded;
  try {
    recorded = JSON.parse(fs.readFileSync(path.join(root, INPUTS), 'utf8'));
  } catch {
    return false;
  }
  const entries = Object.entries(recorded.inputs ?? {});
  if (entries.length === 0) return false;
  for (const [rel, stamp] of entries) {
    let st;
    try {
      st = fs.statSync(path.join(root, rel));
    } catch {
      return false;
    }
    if (st.size !== stamp.size || st.mtimeMs !== stamp.mtimeMs) return false;
  }
  return true;
}

/**
 * Builds server/dist/start.mjs from scripts/start.ts with esbuild and records its inputs. `build` replaces esbuild's
 * `build` (tests). Throws when esbuild is missing or the build fails (the caller falls back to tsx).
 * @param {string} root
 * @param {{ build?: (options: object) => Promise<{ metafile?: { inputs: Record<string, unknown> } }> }} [opts]
 */
export async function buildServerBundle(root, opts = {}) {
  const build = opts.build ?? (await import('esbuild')).build;
  const started = Date.now();
  fs.rmSync(path.join(root, INPUTS), { force: true }); // a build that fails half-way leaves a stale bundle, never a current one
  const result = await build({
    absWorkingDir: root,
    entryPoints: [ENTRY],
    outfile: SERVER_BUNDLE,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    metafile: true,
    logLevel: 'warning',
  });
  /** @type {Record<string, InputStamp>} */
  const inputs = {};
  for (const rel of Object.keys(result.metafile?.inputs ?? {})) {
    const st = fs.statSync(path.join(root, rel));
    // edited while esbuild read it: the bundle may hold the old text, so the next start rebuilds
    inputs[rel] = { size: st.size, mtimeMs: st.mtimeMs > started ? -1 : st.mtimeMs };
  }
  fs.writeFileSync(path.join(root, INPUTS), `${JSON.stringify({ inputs }, null, 1)}\n`);
}
