import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tarEntries, UNUSED_POSTGIS_PARTS, withoutEntries } from '../../server/src/data/postgisBundle.js';

// pglite-postgis's own bundle, as installed
const bundle = path.join(path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite-postgis')), 'postgis.tar.gz');
const names = (tar: Buffer) => [...tarEntries(tar)].filter((e) => e.type !== 'x' && e.type !== 'g').map((e) => e.name);

describe('PostGIS bundle of the embedded database without its unused parts (server/src/data/postgisBundle.ts)', () => {
  it('when trimmed, then the raster and topology modules and the contrib scripts are gone and every other entry is there, byte for byte', () => {
    const full = zlib.gunzipSync(fs.readFileSync(bundle));
    const trimmed = withoutEntries(full, UNUSED_POSTGIS_PARTS);
    const before = names(full);
    const after = names(trimmed);
    expect(before).toContain('lib/postgresql/postgis_raster-3.so');
    expect(after).not.toContain('lib/postgresql/postgis_raster-3.so');
    expect(after).not.toContain('lib/postgresql/postgis_topology-3.so');
    expect(after.some((n) => n.startsWith('share/postgresql/contrib/'))).toBe(false);
    expect(after).toEqual(before.filter((n) => !UNUSED_POSTGIS_PARTS.some((re) => re.test(n))));
    expect(after).toEqual(expect.arrayContaining(['lib/postgresql/postgis-3.so', 'share/postgresql/extension/postgis.control', 'share/proj/proj.db']));
    const blocksOf = (tar: Buffer, name: string) => [...tarEntries(tar)].find((e) => e.name === name)!.blocks;
    expect(blocksOf(trimmed, 'lib/postgresql/postgis-3.so').equals(blocksOf(full, 'lib/postgresql/postgis-3.so'))).toBe(true);
    expect(trimmed.length).toBeLessThan(full.length * 0.6); // 95 → 54 MB to unpack on every open
  });
});
