import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildServerBundle, SERVER_BUNDLE, serverBundleIsCurrent } from '../../scripts/server-bundle.mjs';

/** A small repository tree: scripts/start.ts imports a server module, which imports a package from node_modules. */
let root: string;
const write = (rel: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
};
/** Runs the bundle as `npm start` would and returns what it printed. */
const runBundle = () => execFileSync(process.execPath, [path.join(root, SERVER_BUNDLE)], { cwd: root, encoding: 'utf8' }).trim();

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-server-bundle-'));
  write('scripts/start.ts', "import { greeting } from '../server/src/greeting.js';\nconsole.log(greeting());\n");
  write('server/src/greeting.ts', "import { shout } from 'fake-package';\nexport const greeting = (): string => shout('bonjour');\n");
  write('server/src/unused.ts', 'export const unused = 1;\n');
  write('node_modules/fake-package/package.json', '{"name":"fake-package","type":"module","exports":"./index.js"}\n');
  write('node_modules/fake-package/index.js', 'export const shout = (s) => s.toUpperCase();\n');
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

/** Sets a file's modification time that many seconds from now (a checkout or an editor writes a new one; ahead of now = during the build). */
const touch = (rel: string, secondsLater: number) => {
  const t = new Date(Date.now() + secondsLater * 1000);
  fs.utimesSync(path.join(root, rel), t, t);
};

describe('npm start runs a prebuilt server bundle, rebuilt when its sources changed (scripts/server-bundle.mjs)', () => {
  it('when there is no bundle yet, then it is not current, and once built it runs the sources with packages from node_modules', async () => {
    expect(serverBundleIsCurrent(root)).toBe(false);
    await buildServerBundle(root);
    expect(serverBundleIsCurrent(root)).toBe(true);
    expect(runBundle()).toBe('BONJOUR');
    // the package stays outside the bundle: it is resolved from node_modules at run time
    expect(fs.readFileSync(path.join(root, SERVER_BUNDLE), 'utf8')).toContain('from "fake-package"');
  });

  it('when a source the bundle was built from changes, then the bundle is stale, and a rebuild runs the new code', async () => {
    await buildServerBundle(root);
    write('server/src/greeting.ts', "import { shout } from 'fake-package';\nexport const greeting = (): string => shout('au revoir');\n");
    touch('server/src/greeting.ts', -5);
    expect(serverBundleIsCurrent(root)).toBe(false);
    await buildServerBundle(root);
    expect(serverBundleIsCurrent(root)).toBe(true);
    expect(runBundle()).toBe('AU REVOIR');
  });

  it('when only its modification time changes (a checkout rewrote it), then the bundle is rebuilt rather than trusted', async () => {
    await buildServerBundle(root);
    touch('scripts/start.ts', -10);
    expect(serverBundleIsCurrent(root)).toBe(false);
  });

  it('when a file the bundle does not import changes, then the bundle stays current', async () => {
    await buildServerBundle(root);
    write('server/src/unused.ts', 'export const unused = 2;\n');
    touch('server/src/unused.ts', -5);
    expect(serverBundleIsCurrent(root)).toBe(true);
  });

  it('when a source the bundle was built from is deleted, then the bundle is stale', async () => {
    await buildServerBundle(root);
    fs.rmSync(path.join(root, 'server/src/greeting.ts'));
    expect(serverBundleIsCurrent(root)).toBe(false);
  });

  it('when a source is edited while the build runs, then the next start rebuilds', async () => {
    await buildServerBundle(root, {
      build: async (options) => {
        const result = await build(options);
        touch('server/src/greeting.ts', 3); // the editor saved while esbuild was reading
        return result;
      },
    });
    expect(serverBundleIsCurrent(root)).toBe(false);
  });

  it('when the build fails, then no bundle is taken for current', async () => {
    await buildServerBundle(root);
    write('server/src/greeting.ts', 'export const greeting = (: string => ;\n');
    touch('server/src/greeting.ts', -5);
    await expect(buildServerBundle(root)).rejects.toThrow();
    expect(serverBundleIsCurrent(root)).toBe(false);
  });
});
