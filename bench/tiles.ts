/**
 * Vector-tile benchmark: for the densest z14 and z16 parcels tiles, the HTTP tile request (session, data version,
 * ST_AsMVT, response) against the same ST_AsMVT query run directly with pg, and the cost of an ETag hit (304).
 * Needs DATABASE_URL to a PostgreSQL with PostGIS (loads the demo data when the database is empty).
 *   DATABASE_URL=postgres://… npx tsx bench/tiles.ts
 * Targets: HTTP / raw ≤ 1.25×, ETag hit < 2 ms.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { pino } from 'pino';
import { createApp } from '../server/src/app.js';
import { loadConfig, paths } from '../server/src/config.js';
import { openDatabase, type Database } from '../server/src/data/db.js';
import { loadDemoIfEmpty } from '../server/src/demo.js';
import type { TileCoords } from '../server/src/tiles/coords.js';
import { mvtSql } from '../server/src/tiles/encode-postgis.js';
import { SEE_ALL, TILE_LAYERS } from '../server/src/tiles/layers.js';
import { renderTile } from '../server/src/tiles/render.js';

export interface TileBenchRow {
  tile: string;
  features: number;
  bytes: number;
  rawMedianMs: number;
  rawP95Ms: number;
  httpMedianMs: number;
  httpP95Ms: number;
  /** HTTP median / raw median (target ≤ 1.25). */
  ratio: number;
  etagHitMedianMs: number;
  etagHitP95Ms: number;
  /** Same tile with the Node encoder (what the embedded database uses), in process. */
  nodeEncoderMedianMs: number;
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 40);
const WARMUP = 5;

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const round = (ms: number) => Math.round(ms * 100) / 100;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** The tile holding the most parcel points at a zoom. */
async function densestTile(db: Database, z: number): Promise<TileCoords & { parcels: number }> {
  const { rows } = await db.knex.raw(
    `WITH p AS (SELECT ST_Transform(ST_PointOnSurface(geom), 3857) AS g FROM parcels), w AS (SELECT 40075016.68557849 / 2 ^ ? AS size)
     SELECT ?::int AS z, floor((ST_X(g) + 20037508.342789244) / w.size)::int AS x, floor((20037508.342789244 - ST_Y(g)) / w.size)::int AS y,
            count(*)::int AS parcels
     FROM p, w GROUP BY 2, 3 ORDER BY parcels DESC LIMIT 1`,
    [z, z],
  );
  return rows[0];
}

/** GET over a keep-alive connection; resolves with status, headers and body length. */
function get(agent: http.Agent, url: string, headers: Record<string, string>): Promise<{ status: number; etag: string | undefined; length: number }> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent, headers }, (res) => {
      let length = 0;
      res.on('data', (chunk: Buffer) => (length += chunk.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, etag: res.headers.etag, length }));
    }).on('error', reject);
  });
}

export async function run(): Promise<TileBenchRow[] | null> {
  const databaseUrl = process.env.DATABASE_URL?.trim();
  if (!databaseUrl) {
    console.log('bench/tiles: DATABASE_URL absent — benchmark skipped (it needs a PostgreSQL with ST_AsMVT).');
    return null;
  }
  const db = await openDatabase({ databaseUrl });
  const raw = new pg.Client({ connectionString: databaseUrl });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let server: http.Server | undefined;
  try {
    if (!db.hasMvt) {
      console.log('bench/tiles: this PostGIS has no ST_AsMVT (no protobuf) — benchmark skipped.');
      return null;
    }
    await loadDemoIfEmpty(db);
    await raw.connect();
    const app = createApp({ db, config: { ...loadConfig({}), databaseUrl, demo: false }, log: pino({ level: 'silent' }) });
    server = await new Promise<http.Server>((resolve) => {
      const s = http.createServer(app).listen(0, '127.0.0.1', () => resolve(s));
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { demoPassword } = JSON.parse(fs.readFileSync(path.join(paths.demoGeodata, 'territoire.demo.json'), 'utf8')) as { demoPassword: string };
    const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'gup@demo.gup', password: demoPassword }) });
    if (login.status !== 200) throw new Error(`login failed: ${login.status}`);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;

    const rows: TileBenchRow[] = [];
    for (const z of [14, 16]) {
      const tile = await densestTile(db, z);
      const url = `${base}/api/tiles/parcels/${tile.z}/${tile.x}/${tile.y}.mvt`;
      const query = mvtSql('parcels', TILE_LAYERS.parcels, tile, SEE_ALL);
      const native = db.knex.raw(query.sql, query.bindings).toSQL().toNative();
      const rawQuery = () => raw.query(native.sql, native.bindings as unknown[]);
      const request = (headers: Record<string, string> = {}) => get(agent, url, { cookie, ...headers });

      const first = await request();
      if (first.status !== 200 || !first.etag) throw new Error(`tile ${url}: ${first.status}`);
      for (let i = 0; i < WARMUP; i++) {
        await rawQuery();
        await request();
      }
      const rawMs: number[] = [];
      const httpMs: number[] = [];
      const hitMs: number[] = [];
      const nodeMs: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        rawMs.push(await timed(rawQuery));
        httpMs.push(await timed(request));
        if (i < 10) nodeMs.push(await timed(() => renderTile(db.knex, 'node', 'parcels', tile, SEE_ALL)));
      }
      // ETag hits in their own loop: a revalidation burst, as when a map is panned back
      for (let i = 0; i < ROUNDS * 5; i++) {
        hitMs.push(await timed(async () => {
          const hit = await request({ 'if-none-match': first.etag! });
          if (hit.status !== 304) throw new Error(`expected 304, got ${hit.status}`);
        }));
      }
      rows.push({
        tile: `parcels ${tile.z}/${tile.x}/${tile.y}`,
        features: tile.parcels,
        bytes: first.length,
        rawMedianMs: round(quantile(rawMs, 0.5)),
        rawP95Ms: round(quantile(rawMs, 0.95)),
        httpMedianMs: round(quantile(httpMs, 0.5)),
        httpP95Ms: round(quantile(httpMs, 0.95)),
        ratio: round(quantile(httpMs, 0.5) / quantile(rawMs, 0.5)),
        etagHitMedianMs: round(quantile(hitMs, 0.5)),
        etagHitP95Ms: round(quantile(hitMs, 0.95)),
        nodeEncoderMedianMs: round(quantile(nodeMs, 0.5)),
      });
    }
    return rows;
  } finally {
    agent.destroy();
    server?.close();
    await raw.end().catch(() => {});
    await db.close();
  }
}

function print(rows: TileBenchRow[]): void {
  console.log(`Vector tiles, ${ROUNDS} rounds (ms; targets: HTTP/raw ≤ 1.25, ETag hit < 2 ms)`);
  console.table(
    rows.map((r) => ({
      tile: r.tile, parcels: r.features, kB: Math.round(r.bytes / 1024),
      'raw ST_AsMVT p50': r.rawMedianMs, 'raw p95': r.rawP95Ms, 'HTTP p50': r.httpMedianMs, 'HTTP p95': r.httpP95Ms,
      'HTTP/raw': r.ratio, 'ETag hit p50': r.etagHitMedianMs, 'ETag hit p95': r.etagHitP95Ms, 'Node encoder p50': r.nodeEncoderMedianMs,
    })),
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await run();
  if (rows) print(rows);
}
