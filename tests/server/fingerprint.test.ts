import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fingerprint } from '../../server/src/fingerprint.js';

const roots: string[] = [];
/** A temporary tree holding `files` (relative path → content). */
function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-fingerprint-'));
  roots.push(root);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}
afterEach(() => { for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true }); });

describe('fingerprint of a list of paths (server/src/fingerprint.ts)', () => {
  const files = { 'db/001.ts': 'create table a', 'db/002.ts': 'create table b', 'geodata/x.csv': '1;2' };

  it('when the same content sits in another folder (a copy of the repository), then the fingerprint is the same', () => {
    expect(fingerprint(tree(files), ['db', 'geodata'])).toBe(fingerprint(tree(files), ['db', 'geodata']));
  });

  it('when a file changes, is added or is renamed, then the fingerprint changes', () => {
    const base = fingerprint(tree(files), ['db', 'geodata']);
    expect(fingerprint(tree({ ...files, 'db/002.ts': 'create table c' }), ['db', 'geodata'])).not.toBe(base);
    expect(fingerprint(tree({ ...files, 'db/003.ts': '' }), ['db', 'geodata'])).not.toBe(base);
    const { 'db/002.ts': moved, ...rest } = files;
    expect(fingerprint(tree({ ...rest, 'db/002b.ts': moved }), ['db', 'geodata'])).not.toBe(base);
  });

  it('when only a Markdown note changes, then the fingerprint does not', () => {
    expect(fingerprint(tree({ ...files, 'geodata/README.md': 'notes' }), ['db', 'geodata'])).toBe(fingerprint(tree(files), ['db', 'geodata']));
  });

  it('when code moves from one listed path to another, then the fingerprint changes and an absent path is no error', () => {
    const before = fingerprint(tree({ ...files, 'geodata/import/cli.ts': 'x' }), ['db', 'geodata', 'server/src/import']);
    const after = fingerprint(tree({ ...files, 'server/src/import/cli.ts': 'x' }), ['db', 'geodata', 'server/src/import']);
    expect(after).toMatch(/^[0-9a-f]{16}$/);
    expect(after).not.toBe(before);
  });
});
