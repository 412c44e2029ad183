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

/** Reads a file, gunzipping `.gz` files. */
export async function readInput(filePath: string): Promise<InputFile> {
  const name = path.basename(filePath);
  const raw = await fs.readFile(filePath);
  let bytes = raw;
  if (name.endsWith('.gz')) {
    try {
      bytes = zlib.gunzipSync(raw);
    } catch {
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
    const message = (err as Error).message;
    const pos = /position (\d+)/.exec(message);
    const line = pos ? text.slice(0, Number(pos[1])).split('\n').length : null;
    throw new ImportError(file.name, line ? `ligne ${line}` : null, `JSON invalide : ${message}`);
  }
}
