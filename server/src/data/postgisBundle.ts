import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import type { Extension } from '@electric-sql/pglite';
import { paths } from '../config.js';

/**
 * Parts of pglite-postgis's bundle GUP never loads: the raster and topology modules (two WebAssembly libraries of 16 MB
 * each, compiled by PGlite on every open whether used or not) and the scripts for PostGIS without extensions. Leaving
 * them out takes about a second of CPU off every start of the embedded database (docs/decisions.md, "Starting").
 */
export const UNUSED_POSTGIS_PARTS = [/^lib\/postgresql\/postgis_(raster|topology)-3\.so$/, /^share\/postgresql\/contrib\//];

const BLOCK = 512;

/** The entry name of a tar header block (ustar prefix + name). */
function entryName(header: Buffer): string {
  const field = (from: number, to: number) => header.subarray(from, to).toString('utf8').replace(/\0.*$/s, '');
  const prefix = header.subarray(257, 262).toString('latin1') === 'ustar' ? field(345, 500) : '';
  return prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
}

/** The entries of a tar archive, in order: name, type flag and their blocks (header and data) as they are. */
export function* tarEntries(tar: Buffer): Generator<{ name: string; type: string; blocks: Buffer }> {
  for (let at = 0; at + BLOCK <= tar.length;) {
    const header = tar.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) return; // end of archive
    const size = parseInt(header.subarray(124, 136).toString('latin1').replace(/\0.*$/s, '').trim() || '0', 8);
    const end = at + BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    yield { name: entryName(header).replace(/^\.\//, ''), type: String.fromCharCode(header[156]!), blocks: tar.subarray(at, end) };
    at = end;
  }
}

/**
 * A tar archive without the entries whose name matches `drop`: the other entries' blocks are copied as they are
 * (a pax extended header goes with the entry after it).
 *
 * @example withoutEntries(tar, [/\.so$/]) // the same archive minus its .so files
 */
export function withoutEntries(tar: Buffer, drop: readonly RegExp[]): Buffer {
  const kept: Buffer[] = [];
  let pending: Buffer[] = []; // pax headers waiting for their entry
  for (const { name, type, blocks } of tarEntries(tar)) {
    if (type === 'x' || type === 'g') pending.push(blocks);
    else {
      if (!drop.some((re) => re.test(name))) kept.push(...pending, blocks);
      pending = [];
    }
  }
  return Buffer.concat([...kept, Buffer.alloc(2 * BLOCK)]);
}

/**
 * The PostGIS extension for PGlite, loading a bundle without the unused parts (made once per pglite-postgis release,
 * kept in node_modules/.cache/gup). Falls back to the full bundle if the trimmed one cannot be written.
 */
export async function postgisExtension(): Promise<Extension> {
  const { postgis } = await import('@electric-sql/pglite-postgis');
  return {
    name: postgis.name,
    setup: async (pg, emscriptenOpts) => {
      const result = await postgis.setup(pg, emscriptenOpts);
      try {
        const original = fs.readFileSync(result.bundlePath);
        const id = crypto.createHash('sha1').update(original).digest('hex').slice(0, 12); // one per pglite-postgis release
        const trimmed = path.join(paths.cache, `postgis-core-${id}.tar.gz`);
        if (!fs.existsSync(trimmed)) {
          fs.mkdirSync(path.dirname(trimmed), { recursive: true });
          const tmp = `${trimmed}.${process.pid}.tmp`;
          fs.writeFileSync(tmp, zlib.gzipSync(withoutEntries(zlib.gunzipSync(original), UNUSED_POSTGIS_PARTS), { level: 1 }));
          fs.renameSync(tmp, trimmed); // concurrent starts never read a half-written bundle
        }
        return { ...result, bundlePath: pathToFileURL(trimmed) };
      } catch {
        return result; // e.g. a read-only node_modules: the full bundle, a little slower
      }
    },
  };
}
