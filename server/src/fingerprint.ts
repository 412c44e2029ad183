import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A short hash of the content of `inputs` (files or folders, relative to `root`, walked in name order; Markdown files
 * are left out: notes do not change what is built). A path that does not exist counts as absent, so a list can name a
 * folder before or after it moves. Used for the demo database snapshot (server/src/demoSnapshot.ts) and the client
 * build stamp (scripts/client-build.ts).
 *
 * @example fingerprint('/repo', ['db', 'geodata']) // 'a3f9c2…' (16 hex digits), the same until a file there changes
 */
export function fingerprint(root: string, inputs: readonly string[]): string {
  const hash = crypto.createHash('sha256');
  const add = (rel: string) => {
    const p = path.join(root, rel);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch {
      hash.update(`absent:${rel}\0`);
      return;
    }
    if (stat.isDirectory()) {
      for (const entry of fs.readdirSync(p).sort()) add(path.posix.join(rel, entry));
    } else if (!rel.endsWith('.md')) {
      hash.update(`${rel}\0`).update(fs.readFileSync(p)).update('\0');
    }
  };
  for (const input of inputs) add(input);
  return hash.digest('hex').slice(0, 16);
}
