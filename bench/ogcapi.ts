/**
 * OGC API – Features benchmark (issue 15): reading all the parcels of the demo (17 641) with GDAL's `ogr2ogr`
 * through `/ogcapi` (`OAPIF:`, pages of 1000 following the `next` links) against `ogr2ogr` reading the same rows,
 * same columns, straight from PostgreSQL (`PG:` with a SQL), side by side, rounds interleaved; both write GeoJSON to
 * /tmp. Target: OGC API ≤ 2× the direct read (medians).
 *
 * The server keeps pages and computes the next one ahead (services/page-cache.ts), keyed by the parcels' data version:
 * before each measured API read the bench bumps that version (`data_versions`, as any write to parcels would), so the
 * headline read finds no page kept from an earlier read — only the read-ahead helps it. The same read repeated at once
 * ("pages kept") is reported beside it.
 *
 * The server runs as a child process (`tsx server/src/main.ts`, GUP_DEMO=1, LOG_LEVEL=warn) on the bench database
 * `gup_bench_ogc` (DATABASE_URL's server, created and loaded with the demo when missing).
 *
 * Standalone: `DATABASE_URL=postgres://… npx tsx bench/ogcapi.ts [--rounds=3] [--json]`. Without DATABASE_URL it says
 * so and exits 0. Needs `ogr2ogr` (Debian's gdal-bin).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { leadOwnerJoin } from '../server/src/data/ownership.js';
import { OWNER_KIND_LABELS } from '../server/src/domain/owners.js';
import { argsOf } from './lib/args.js';
import { ensureDatabase, redact, withDatabase } from './lib/db.js';
import { processTreeCpuMs } from './lib/load.js';
import { freePort, startMain } from './lib/server.js';
import { staticOgcServer } from './lib/static-ogc.js';

const exec = promisify(execFile);

export interface OgcBenchResult {
  skipped?: string;
  features?: { api: number; direct: number };
  apiSeconds?: number[];
  /** The same read again right after (its pages kept by the server). */
  apiKeptSeconds?: number[];
  apiKeptMedianS?: number;
  apiKeptRatio?: number;
  /** Median of each round's own ratio (API / direct of the same round): less moved by a load that changes between rounds. */
  pairedRatio?: number;
  directSeconds?: number[];
  apiMedianS?: number;
  directMedianS?: number;
  ratio?: number;
  /** ogr2ogr reading the same features from a local GeoJSON file (no HTTP, no server). */
  localFileMedianS?: number;
  localFileRatio?: number;
  /**
   * ogr2ogr through an instant server answering GUP's very pages from memory (bench/lib/static-ogc.ts): what GDAL's
   * OAPIF client costs by itself, the floor of any GeoJSON server; its ratio to the direct read, and GUP's to it.
   */
  instantMedianS?: number;
  instantRatio?: number;
  apiOverInstant?: number;
  /** Medians: ogr2ogr's own CPU on each path (GeoJSON parsing is most of the API path's), the Node server's per read. */
  cpuSeconds?: { ogr2ogrApi: number | null; ogr2ogrDirect: number | null; server: number };
  checks: { target: string; value: string; pass: boolean }[];
}

/** The lead owner's join of the data layer, its one binding (the `P` right code, a constant) written in for `ogr2ogr -sql`. */
const LEAD = leadOwnerJoin('p');

/** The parcels collection's columns, written for GDAL's PostgreSQL driver. */
const DIRECT_SQL = `SELECT p.idu AS id, p.commune_insee, p.prefix, p.section, p.number, p.official_area_m2,
    coalesce(lead.kind, 'private_person') AS owner_kind, l.label AS owner_kind_label, lead.org AS organisation_code,
    lead.org_name AS organisation_name, coalesce(lead.owners, 0) AS joint_owners, p.source_vintage, p.geom
  FROM parcels p
  ${LEAD.sql.replace('?', `'${LEAD.bindings[0]}'`)}
  LEFT JOIN (VALUES ${Object.entries(OWNER_KIND_LABELS).map(([k, v]) => `('${k}', '${v.replace(/'/g, "''")}')`).join(', ')}) l(kind, label)
    ON l.kind = coalesce(lead.kind, 'private_person')
  ORDER BY p.idu`;

/** libpq's key=value form of a postgres:// URL, for GDAL's `PG:` data source. */
function pgSource(url: string): string {
  const u = new URL(url);
  const q = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return `PG:dbname=${q(decodeURIComponent(u.pathname.slice(1)))} host=${q(u.hostname)} port=${q(u.port || '5432')} user=${q(decodeURIComponent(u.username))}${u.password ? ` password=${q(decodeURIComponent(u.password))}` : ''}`;
}

/** GNU time, when installed: the CPU seconds of each ogr2ogr (its own work, apart from the server's and the database's). */
const GNU_TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

interface Timed { seconds: number; features: number; gdalCpuS: number | null }

async function timed(args: string[], out: string): Promise<Timed> {
  fs.rmSync(out, { force: true });
  const cpuFile = `${out}.cpu`;
  const t0 = performance.now();
  if (GNU_TIME) await exec(GNU_TIME, ['-f', '%U %S', '-o', cpuFile, 'ogr2ogr', ...args], { timeout: 600_000, maxBuffer: 1 << 24 });
  else await exec('ogr2ogr', args, { timeout: 600_000, maxBuffer: 1 << 24 });
  const seconds = (performance.now() - t0) / 1000;
  const features = (JSON.parse(fs.readFileSync(out, 'utf8')) as { features: unknown[] }).features.length;
  const cpu = GNU_TIME ? fs.readFileSync(cpuFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number) : null;
  fs.rmSync(out, { force: true });
  fs.rmSync(cpuFile, { force: true });
  return { seconds, features, gdalCpuS: cpu ? cpu[0]! + cpu[1]! : null };
}

/** Every feature of a collection, following the `next` links, saved as one FeatureCollection. */
async function saveAllFeatures(first: string, file: string): Promise<void> {
  const parts: string[] = [];
  for (let url: string | undefined = first; url;) {
    const page = (await (await fetch(url)).json()) as { features: unknown[]; links: { rel: string; href: string }[] };
    parts.push(...page.features.map((f) => JSON.stringify(f)));
    url = page.links.find((l) => l.rel === 'next')?.href;
  }
  fs.writeFileSync(file, `{"type":"FeatureCollection","features":[${parts.join(',')}]}`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const r2 = (x: number) => Math.round(x * 100) / 100;

export async function run(opts: { rounds?: number; log?: (m: string) => void } = {}): Promise<OgcBenchResult> {
  const log = opts.log ?? ((m: string) => console.log(m));
  const base = process.env.GUP_BENCH_OGC_DATABASE_URL?.trim() || process.env.DATABASE_URL?.trim();
  if (!base) return { skipped: 'DATABASE_URL absent', checks: [] };
  const url = process.env.GUP_BENCH_OGC_DATABASE_URL?.trim() || withDatabase(base, 'gup_bench_ogc');
  if (await ensureDatabase(url)) log(`Base ${redact(url)} créée ; le premier démarrage charge la démo.`);
  const server = await startMain(url, await freePort());
  const db = new pg.Pool({ connectionString: url, max: 1 });
  /** A new data version of the parcels, as any write to them makes: the pages the server kept no longer serve. */
  const newVersion = () => db.query(`UPDATE data_versions SET version = version + 1, updated_at = now() WHERE layer = 'parcels'`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-bench-ogc-'));
  let instantServer: Awaited<ReturnType<typeof staticOgcServer>> | null = null;
  try {
    const apiArgs = ['-f', 'GeoJSON', path.join(dir, 'api.geojson'), `OAPIF:${server.baseUrl}/ogcapi`, 'parcels', '-oo', 'PAGE_SIZE=1000'];
    const directArgs = ['-f', 'GeoJSON', path.join(dir, 'direct.geojson'), pgSource(url), '-sql', DIRECT_SQL, '-nln', 'parcels'];
    await timed(apiArgs, apiArgs[2]!); // warm-up: server JIT, caches of both sides
    await timed(directArgs, directArgs[2]!);
    // ogr2ogr reading the API's own features from a local file: no HTTP, no server, no OAPIF layer
    const local = path.join(dir, 'local.geojson');
    await saveAllFeatures(`${server.baseUrl}/ogcapi/collections/parcels/items?limit=10000`, local);
    const fileArgs = ['-f', 'GeoJSON', path.join(dir, 'file.geojson'), local];
    // GDAL's own floor: the same pages answered instantly from memory
    instantServer = await staticOgcServer(`${server.baseUrl}/ogcapi`, 'parcels', 1000);
    const instantArgs = ['-f', 'GeoJSON', path.join(dir, 'instant.geojson'), `OAPIF:${instantServer.base}`, 'parcels', '-oo', 'PAGE_SIZE=1000'];
    await timed(instantArgs, instantArgs[2]!);
    const instant: number[] = [];
    const file: number[] = [];
    const api: number[] = [];
    const kept: number[] = [];
    const direct: number[] = [];
    const cpu = { gdalApi: [] as number[], gdalDirect: [] as number[], server: [] as number[] };
    let features = { api: 0, direct: 0 };
    for (let i = 0; i < (opts.rounds ?? 3); i++) {
      await newVersion();
      const serverCpu0 = processTreeCpuMs(server.pid);
      const a = await timed(apiArgs, apiArgs[2]!);
      const serverCpuS = (processTreeCpuMs(server.pid) - serverCpu0) / 1000;
      kept.push((await timed(apiArgs, apiArgs[2]!)).seconds);
      const d = await timed(directArgs, directArgs[2]!);
      file.push((await timed(fileArgs, fileArgs[2]!)).seconds);
      instant.push((await timed(instantArgs, instantArgs[2]!)).seconds);
      api.push(a.seconds);
      direct.push(d.seconds);
      cpu.server.push(serverCpuS);
      if (a.gdalCpuS !== null && d.gdalCpuS !== null) { cpu.gdalApi.push(a.gdalCpuS); cpu.gdalDirect.push(d.gdalCpuS); }
      features = { api: a.features, direct: d.features };
      const gdal = a.gdalCpuS === null ? '' : ` ; CPU d'ogr2ogr ${a.gdalCpuS.toFixed(2)} s contre ${d.gdalCpuS!.toFixed(2)} s, du serveur Node ${serverCpuS.toFixed(2)} s`;
      log(`  tour ${i + 1} : OGC API ${a.seconds.toFixed(2)} s (${a.features} objets ; relu aussitôt, pages gardées : ${kept[i]!.toFixed(2)} s), PostgreSQL direct ${d.seconds.toFixed(2)} s (${d.features} objets), même GeoJSON en fichier local ${file[i]!.toFixed(2)} s, mêmes pages servies instantanément ${instant[i]!.toFixed(2)} s${gdal}`);
    }
    const ratio = median(api) / median(direct);
    return {
      features, apiSeconds: api.map(r2), apiKeptSeconds: kept.map(r2), apiKeptMedianS: r2(median(kept)), apiKeptRatio: r2(median(kept) / median(direct)),
      pairedRatio: r2(median(api.map((x, i) => x / direct[i]!))), directSeconds: direct.map(r2), apiMedianS: r2(median(api)), directMedianS: r2(median(direct)), ratio: r2(ratio),
      localFileMedianS: r2(median(file)),
      localFileRatio: r2(median(file) / median(direct)),
      instantMedianS: r2(median(instant)), instantRatio: r2(median(instant) / median(direct)), apiOverInstant: r2(median(api) / median(instant)),
      cpuSeconds: {
        ogr2ogrApi: cpu.gdalApi.length ? r2(median(cpu.gdalApi)) : null, ogr2ogrDirect: cpu.gdalDirect.length ? r2(median(cpu.gdalDirect)) : null,
        server: r2(median(cpu.server)),
      },
      checks: [
        { target: 'ogcapi: ogr2ogr reads every parcel through /ogcapi', value: `${features.api} / ${features.direct}`, pass: features.api === features.direct && features.api > 0 },
        { target: 'ogcapi: ogr2ogr via /ogcapi ≤ 2× ogr2ogr from PostgreSQL', value: `${r2(median(api))} s vs ${r2(median(direct))} s → ×${r2(ratio)}`, pass: ratio <= 2 },
      ],
    };
  } finally {
    await instantServer?.stop();
    await db.end();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function report(r: OgcBenchResult): void {
  if (r.skipped) { console.log(`OGC API : ignoré (${r.skipped})`); return; }
  for (const c of r.checks) console.log(`${c.pass ? 'PASS' : 'FAIL'}  ${c.target} : ${c.value}`);
  if (r.pairedRatio !== undefined) console.log(`Rapport tour par tour (médiane) : ×${r.pairedRatio}`);
  if (r.apiKeptMedianS !== undefined) console.log(`Même lecture aussitôt refaite (pages gardées par le serveur) : ${r.apiKeptMedianS} s → ×${r.apiKeptRatio} du direct`);
  if (r.localFileMedianS !== undefined) console.log(`ogr2ogr depuis un fichier local des mêmes objets : ${r.localFileMedianS} s → ×${r.localFileRatio} du direct`);
  if (r.instantMedianS !== undefined) console.log(`Plancher du client : ogr2ogr par un serveur instantané des mêmes pages ${r.instantMedianS} s → ×${r.instantRatio} du direct ; GUP ×${r.apiOverInstant} de ce plancher`);
  if (r.cpuSeconds) console.log(`CPU (médianes) : ogr2ogr ${r.cpuSeconds.ogr2ogrApi ?? '?'} s par l'API contre ${r.cpuSeconds.ogr2ogrDirect ?? '?'} s en direct ; serveur Node ${r.cpuSeconds.server} s`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const a = argsOf(process.argv.slice(2));
  const result = await run({ ...(a.rounds ? { rounds: Number(a.rounds) } : {}) });
  if (a.json) console.log(JSON.stringify(result, null, 2));
  else report(result);
}
