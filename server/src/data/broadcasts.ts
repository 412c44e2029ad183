import type { Knex } from 'knex';
import type { BroadcastAreaKind, BroadcastKind, BroadcastSeverity } from '../domain/broadcasts.js';

/** The SQL form of `broadcastScope` (domain/access.ts), on the alias `b`: bound parameters only. */
export function broadcastScopeSql(scope: { kind: 'all' } | { kind: 'none' } | { kind: 'commune'; insee: string }): { sql: string; bindings: string[] } {
  switch (scope.kind) {
    case 'all': return { sql: 'TRUE', bindings: [] };
    case 'none': return { sql: 'FALSE', bindings: [] };
    case 'commune': return { sql: '? = ANY(b.communes)', bindings: [scope.insee] };
  }
}

/** Land shared with a commune below this many m² (a shared edge, a digitising sliver) does not make it concerned. */
const MIN_SHARED_M2 = 1;

/** The territory's communes among these INSEE codes. */
export async function territoryCommunesIn(knex: Knex, insees: string[]): Promise<string[]> {
  return (await knex('communes').where({ in_territory: true }).whereIn('insee', insees).orderBy('insee').pluck('insee')) as string[];
}

/** Known QPV codes among these. */
export async function knownQpvs(knex: Knex, codes: string[]): Promise<string[]> {
  return (await knex('qpv').whereIn('code', codes).pluck('code')) as string[];
}

/** The territory's communes sharing land with these QPV. */
export async function communesOfQpvs(knex: Knex, codes: string[]): Promise<string[]> {
  const { rows } = await knex.raw(
    `SELECT DISTINCT c.insee FROM communes c JOIN qpv q ON ST_Intersects(c.geom, q.geom)
     WHERE q.code = ANY(?) AND c.in_territory AND ST_Area(ST_Intersection(c.geom, q.geom)::geography) >= ? ORDER BY c.insee`,
    [codes, MIN_SHARED_M2],
  );
  return (rows as { insee: string }[]).map((r) => r.insee);
}

/** The territory's communes sharing land with a drawn area (GeoJSON text, already validated). */
export async function communesOfArea(knex: Knex, geojson: string): Promise<string[]> {
  const { rows } = await knex.raw(
    `WITH a AS (SELECT ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(?), 4326)) AS g)
     SELECT c.insee FROM communes c, a WHERE c.in_territory AND ST_Intersects(c.geom, a.g)
       AND ST_Area(ST_Intersection(c.geom, a.g)::geography) >= ? ORDER BY c.insee`,
    [geojson, MIN_SHARED_M2],
  );
  return (rows as { insee: string }[]).map((r) => r.insee);
}

export interface NewBroadcast {
  kind: BroadcastKind;
  severity: BroadcastSeverity;
  title: string;
  body: string;
  areaKind: BroadcastAreaKind;
  areaCodes: string[];
  geojson: string | null;
  communes: string[];
  validFrom: Date;
  validTo: Date;
  createdBy: number;
}

export async function insertBroadcast(knex: Knex, b: NewBroadcast): Promise<number> {
  const [row] = await knex('broadcasts').insert({
    kind: b.kind, severity: b.severity, title: b.title, body: b.body, area_kind: b.areaKind, area_codes: JSON.stringify(b.areaCodes),
    geom: b.geojson ? knex.raw('ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(?), 4326))', [b.geojson]) : null,
    communes: b.communes, valid_from: b.validFrom, valid_to: b.validTo, created_by: b.createdBy,
  }).returning('id');
  return (row as { id: number }).id;
}

export interface BroadcastRow {
  id: number;
  kind: BroadcastKind;
  severity: BroadcastSeverity;
  title: string;
  body: string;
  areaKind: BroadcastAreaKind;
  areaCodes: string[];
  geometry: unknown | null;
  communes: string[];
  validFrom: string;
  validTo: string;
  createdBy: { id: number; name: string };
  createdAt: string;
  acks: { communeInsee: string; userName: string; at: string }[];
}

const json = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));
const iso = (v: unknown) => new Date(v as string).toISOString();

/**
 * Broadcasts in a scope, newest first, with their acknowledgements: the current ones (`active`, valid now) or the
 * whole history; optionally those concerning one commune, or one broadcast.
 */
export async function listBroadcasts(knex: Knex, f: { scope: Parameters<typeof broadcastScopeSql>[0]; active: boolean; commune?: string | undefined; id?: number | undefined; limit: number }): Promise<BroadcastRow[]> {
  const scope = broadcastScopeSql(f.scope);
  const where: string[] = [scope.sql];
  const bindings: (string | number)[] = [...scope.bindings];
  if (f.active) where.push('now() BETWEEN b.valid_from AND b.valid_to');
  if (f.commune) { where.push('? = ANY(b.communes)'); bindings.push(f.commune); }
  if (f.id !== undefined) { where.push('b.id = ?'); bindings.push(f.id); }
  const { rows } = await knex.raw(
    `SELECT b.id, b.kind, b.severity, b.title, b.body, b.area_kind, b.area_codes, ST_AsGeoJSON(b.geom, 7)::json AS geometry, b.communes,
       b.valid_from, b.valid_to, b.created_by, u.name AS created_by_name, b.created_at,
       (SELECT COALESCE(json_agg(json_build_object('communeInsee', a.commune_insee, 'userName', au.name, 'at', a.at) ORDER BY a.at), '[]'::json)
        FROM broadcast_acks a JOIN users au ON au.id = a.user_id WHERE a.broadcast_id = b.id) AS acks
     FROM broadcasts b JOIN users u ON u.id = b.created_by
     WHERE ${where.join(' AND ')} ORDER BY b.created_at DESC, b.id DESC LIMIT ?`,
    [...bindings, f.limit],
  );
  return (rows as Record<string, any>[]).map((r) => ({
    id: r.id, kind: r.kind, severity: r.severity, title: r.title, body: r.body, areaKind: r.area_kind, areaCodes: json<string[]>(r.area_codes),
    geometry: json(r.geometry), communes: r.communes, validFrom: iso(r.valid_from), validTo: iso(r.valid_to),
    createdBy: { id: r.created_by, name: r.created_by_name }, createdAt: iso(r.created_at),
    acks: json<{ communeInsee: string; userName: string; at: string }[]>(r.acks).map((a) => ({ ...a, at: iso(a.at) })),
  }));
}

/** Records a commune's acknowledgement (the first one stands); false when it was already acknowledged. */
export async function insertAck(knex: Knex, broadcastId: number, communeInsee: string, userId: number): Promise<boolean> {
  const rows = await knex('broadcast_acks').insert({ broadcast_id: broadcastId, commune_insee: communeInsee, user_id: userId }).onConflict(['broadcast_id', 'commune_insee']).ignore().returning('broadcast_id');
  return rows.length > 0;
}

/** Active commune users' addresses in these communes: people, not the service accounts of the communes' software (Open311 keys). */
export async function communeUsersOf(knex: Knex, insees: string[]): Promise<{ email: string; communeInsee: string }[]> {
  return (await knex('users').where({ role: 'commune_user', active: true }).whereIn('commune_insee', insees)
    .whereNotExists(knex('open311_keys as k').whereRaw('k.user_id = users.id').select(knex.raw('1'))).orderBy('email')
    .select('email', 'commune_insee as communeInsee')) as { email: string; communeInsee: string }[];
}
