import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildClientIfChanged } from '../../scripts/client-build.js';

/** A small repository tree with client sources; the "build" writes client/dist/index.html and counts its calls. */
let root: string;
let builds: number;
const build = async (r: string) => {
  builds += 1;
  fs.mkdirSync(path.join(r, 'client', 'dist'), { recursive: true });
  fs.writeFileSync(path.join(r, 'client', 'dist', 'index.html'), `<!-- build ${builds} -->`);
};
const write = (rel: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
};

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-client-build-'));
  builds = 0;
  write('client/src/main.ts', 'export const a = 1;\n');
  write('client/index.html', '<div id="app"></div>\n');
  write('client/vite.config.ts', 'export default {};\n');
  write('server/src/domain/lookup.ts', 'export const rule = 1;\n');
  write('package-lock.json', '{}\n');
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('client build only when its sources changed (scripts/client-build.ts)', () => {
  it('when there is no build yet, then the client is built', async () => {
    expect(await buildClientIfChanged(root, { build })).toBe('built');
    expect(builds).toBe(1);
  });

  it('when the sources are unchanged since the last build, then the client is not built again', async () => {
    await buildClientIfChanged(root, { build });
    expect(await buildClientIfChanged(root, { build })).toBe('current');
    expect(await buildClientIfChanged(root, { build })).toBe('current');
    expect(builds).toBe(1);
  });

  it('when one client source changes, then the client is built again, once', async () => {
    await buildClientIfChanged(root, { build });
    write('client/src/main.ts', 'export const a = 2;\n');
    expect(await buildClientIfChanged(root, { build })).toBe('built');
    expect(await buildClientIfChanged(root, { build })).toBe('current');
    expect(builds).toBe(2);
  });

  it('when a shared rule the client bundles (server/src/domain) or the lockfile changes, then the client is built again', async () => {
    await buildClientIfChanged(root, { build });
    write('server/src/domain/lookup.ts', 'export const rule = 2;\n');
    expect(await buildClientIfChanged(root, { build })).toBe('built');
    write('package-lock.json', '{"lockfileVersion":3}\n');
    expect(await buildClientIfChanged(root, { build })).toBe('built');
    expect(builds).toBe(3);
  });

  it('when a file is added to the client sources, then the client is built again', async () => {
    await buildClientIfChanged(root, { build });
    write('client/src/views/NewView.vue', '<template><p>nouveau</p></template>\n');
    expect(await buildClientIfChanged(root, { build })).toBe('built');
  });

  it('when only server code outside the shared rules changes, then the client is not built again', async () => {
    await buildClientIfChanged(root, { build });
    write('server/src/routes/health.ts', 'export const x = 1;\n');
    expect(await buildClientIfChanged(root, { build })).toBe('current');
    expect(builds).toBe(1);
  });

  it('when a build fails, then no stamp is left and the next start builds again', async () => {
    await buildClientIfChanged(root, { build });
    write('client/src/main.ts', 'export const a = 3;\n');
    await expect(buildClientIfChanged(root, { build: async () => { throw new Error('vite: syntax error'); } })).rejects.toThrow(/syntax error/);
    expect(await buildClientIfChanged(root, { build })).toBe('built');
    expect(builds).toBe(2);
  });

  it('when forced, then the client is built even with unchanged sources', async () => {
    await buildClientIfChanged(root, { build });
    expect(await buildClientIfChanged(root, { build, force: true })).toBe('built');
    expect(builds).toBe(2);
  });
});
