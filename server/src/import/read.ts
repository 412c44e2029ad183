import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { ImportError } from './errors.js';

export interface InputFile {
  path: string;
  name: string;
  bytes: Buffer;
  sha256: string;
}

/**
 * Largest file once decompressed: 256 MiB (a large commune's cadastre is a few tens of MB; the browser's upload is
 * ≤ 200 MB as sent). A `.gz` that expands beyond — a decompression bomb turns 300 kB into gigabytes — is refused as
 * soon as its output passes the limit, before it is held in memory whole.
 */
export const MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024;

/** Reads a file, gunzipping `.gz` files (at most MAX_DECOMPRESSED_BYTES). */
export async function readInput(filePath: string): Promise<InputFile> {
  const name = path.basename(filePath);
  const raw = await fs.readFile(filePath);
  let bytes = raw;
  if (name.endsWith('.gz')) {
    try {
      bytes = zlib.gunzipSync(raw, { maxOutputLength: MAX_DECOMPRESSED_BYTES });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new ImportError(name, null, `plus de ${MAX_DECOMPRESSED_BYTES / 1024 / 1024} Mo une fois décompressé : refusé`);
      }
      throw new ImportError(name, null, 'fichier gzip illisible');
    }
  }
  return { path: filePath, name, bytes, sha256: crypto.createHash('sha256').update(bytes).digest('hex') };
}

/** Parses JSON text, turning a syntax error into an ImportError naming the line. */
export function parseJson(file: InputFile): unknown {
  const text = file.bytes.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    const offset = jsonErrorOffset(text, (err as Error).message);
    const line = text.slice(0, offset).split('\n').length;
    throw new ImportError(file.name, `ligne ${line}`, `JSON invalide : ${(err as Error).message}`);
  }
}

/**
 * Offset of a JSON syntax error: from the message when the engine gives a position, else by bisecting on the
 * longest prefix that only fails for being unfinished (error path only).
 */
function jsonErrorOffset(text: string, message: string): number {
  const pos = /position (\d+)/.exec(message);
  if (pos) return Number(pos[1]);
  const unfinished = (n: number) => {
    try {
      JSON.parse(text.slice(0, n));
      return true;
    } catch (e) {
      const msg = (e as Error).message;
      const at = /position (\d+)/.exec(msg);
      return /end of JSON input/i.test(msg) || (!!at && Number(at[1]) >= n);
    }
  };
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (unfinished(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
