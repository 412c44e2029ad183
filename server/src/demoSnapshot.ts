import fs from 'node:fs';
import path from 'node:path';
import { paths } from './config.js';
import { openDatabase, type Database } from './data/db.js';
import { loadDemoIfEmpty } from './demo.js';
import { fingerprint } from './fingerprint.js';

/**
 * What shapes the embedded demo database, relative to the repository root: migrations, import code and data, the demo
 * accounts, the rules the import applies, and the embedded engine's version (a data directory is tied to it). A change
 * in any of them makes the snapshot stale. Missing paths are allowed: when code moves, list its new place here.
 */
export const DEMO_SNAPSHOT_INPUTS = [
  'db',
  'geodata',
  'server/src/import',
  'server/src/data/imports.ts',
  'server/src/demo.ts',
  'server/src/services/demo-activity.ts',
  'server/src/data/demo-activity.ts',
  'server/src/domain',
  'node_modules/@electric-sql/pglite/package.json',
  'node_modules/@electric-sql/pglite-postgis/package.json',
] as const;

/** Where snapshots are kept by default: node_modules/.cache/gup (re-made by `npm install`, wiped with node_modules). */
export const DEMO_SNAPSHOT_DIR = paths.cache;

/** The file the current snapshot has (or would have) in `dir`: `demo-<fingerprint>.tar.gz`. */
export function demoSnapshotFile(dir = DEMO_SNAPSHOT_DIR, root = paths.repoRoot): string {
  return path.join(dir, `demo-${fingerprint(root, DEMO_SNAPSHOT_INPUTS)}.tar.gz`);
}

/** The current snapshot (a gzipped tarball of a PGlite data directory holding the demo database), or null when none. */
export function readDemoSnapshot(file = demoSnapshotFile()): Blob | null {
  return fs.existsSync(file) ? new Blob([fs.readFileSync(file)]) : null;
}

/** Writes `db` (embedded) as the snapshot `file`, atomically, and removes the older snapshots beside it. */
export async function saveDemoSnapshot(db: Database, file = demoSnapshotFile()): Promise<void> {
  if (!db.dumpDataDir) throw new Error('only an embedded database can be saved as a snapshot');
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const bytes = Buffer.from(await (await db.dumpDataDir()).arrayBuffer());
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, file); // concurrent runs never read a half-written snapshot
  for (const old of fs.readdirSync(dir)) {
    if (/^demo-[0-9a-f]{16}\.tar\.gz$/.test(old) && old !== path.basename(file)) fs.rmSync(path.join(dir, old), { force: true });
  }
}

/**
 * An in-memory embedded database with the demo data: from the current snapshot, else migrated and imported, then
 * saved as the snapshot. The tests' database; also `npm install`'s preparation (scripts/prepare.ts).
 */
export async function openDemoInMemory(file = demoSnapshotFile()): Promise<{ db: Database; fromSnapshot: boolean }> {
  const snapshot = readDemoSnapshot(file);
  if (snapshot) return { db: await openDatabase({ loadDataDir: snapshot }), fromSnapshot: true };
  const db = await openDatabase({});
  await loadDemoIfEmpty(db);
  await saveDemoSnapshot(db, file);
  return { db, fromSnapshot: false };
}

/** Set while a snapshot is being copied into a data directory: found on start, the copy was cut short. */
const RESTORING_MARK = '.gup-restoring';

export type StartingPoint =
  | { from: 'snapshot'; file: string }
  | { from: 'existing' }
  | { from: 'empty' };

/**
 * How the embedded demo database in `dataDir` starts: an existing database is opened as it is (never overwritten);
 * an empty folder starts from the current snapshot, or, without one (not prepared, or stale), is created, migrated
 * and imported (the slow path). A copy cut short (its mark still there) counts as empty.
 */
export function demoStartingPoint(dataDir: string, file = demoSnapshotFile()): StartingPoint {
  const hasDatabase = fs.existsSync(path.join(dataDir, 'PG_VERSION')) && !fs.existsSync(path.join(dataDir, RESTORING_MARK));
  if (hasDatabase) return { from: 'existing' };
  return fs.existsSync(file) ? { from: 'snapshot', file } : { from: 'empty' };
}

/**
 * Opens the embedded database of demo mode in `dataDir` as demoStartingPoint says: copies the snapshot in when the
 * folder is empty (a mark file while it copies), then migrates (nothing to do on a current snapshot) as always.
 */
export async function openEmbeddedDemo(dataDir: string, file = demoSnapshotFile()): Promise<{ db: Database; start: StartingPoint }> {
  const start = demoStartingPoint(dataDir, file);
  if (start.from !== 'snapshot') return { db: await openDatabase({ dataDir }), start };
  const mark = path.join(dataDir, RESTORING_MARK);
  if (fs.existsSync(mark)) fs.rmSync(dataDir, { recursive: true, force: true }); // a copy cut short: nothing else was ever there
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(mark, '');
  const db = await openDatabase({ dataDir, loadDataDir: readDemoSnapshot(start.file)! });
  fs.rmSync(mark);
  return { db, start };
}
