import type { Knex } from 'knex';
import { configSnapshot, storedConfig, type ConfigSnapshot } from '../data/config-admin.js';
import type { Database } from '../data/db.js';
import { invalidateTerritory } from '../data/territory.js';
import { audit } from '../data/users.js';
import type { ConfigDelays, ConfigEffect } from '../domain/admin-api.js';
import { territoryConfigSchema } from '../domain/territory.js';
import { AppError } from '../http/errors.js';
import { importConfigObject, type FileSummary } from './index.js';

export type { ConfigEffect };
type Delays = ConfigDelays;

const FILE_NAME = 'configuration (administration)';
class RolledBack extends Error {}

/** The configuration, validated by the import's own schema; 422 naming every wrong field, nothing written. */
function validated(data: unknown): unknown {
  const r = territoryConfigSchema.safeParse(data);
  if (!r.success) {
    throw new AppError(422, 'invalid_config', `Configuration invalide : ${r.error.issues[0]!.path.join('.') || 'racine'} — ${r.error.issues[0]!.message}`,
      r.error.issues.map((i) => ({ field: i.path.join('.') || null, message: i.message })));
  }
  return data;
}

/** The stored configuration (what the editor starts from). */
export async function currentConfig(knex: Knex): Promise<unknown> {
  return storedConfig(knex);
}

/** The effect of a configuration, without keeping it ("show the effect before saving"). */
export async function previewConfig(knex: Knex, data: unknown): Promise<ConfigEffect> {
  validated(data);
  let effect: ConfigEffect | undefined;
  await knex.transaction(async (trx) => {
    effect = await applyConfig(trx, data);
    throw new RolledBack();
  }).catch((err: unknown) => { if (!(err instanceof RolledBack)) throw err; });
  return effect!;
}

/**
 * Saves a configuration through the import's write path (ONE way configuration gets written), audits it with before
 * and after, and empties the territory cache: the change takes effect at once, without a restart.
 */
export async function saveConfig(db: Database, actorId: number, data: unknown): Promise<ConfigEffect> {
  validated(data);
  const effect = await db.knex.transaction(async (trx) => {
    const before = await storedConfig(trx);
    const e = await applyConfig(trx, data);
    await audit(trx, { userId: actorId, action: 'config.update', entity: 'territory', entityId: '1', details: { before, after: await storedConfig(trx), effect: { delays: e.delays, routes: e.routes, subsectors: e.subsectors } } });
    return e;
  });
  invalidateTerritory(db);
  return effect;
}

async function applyConfig(trx: Knex.Transaction, data: unknown): Promise<ConfigEffect> {
  const before = await configSnapshot(trx);
  const summary = await importConfigObject(trx, FILE_NAME, data);
  const after = await configSnapshot(trx);
  return { summary, ...compare(before, after) };
}

/** The differences that matter to the people routed and timed by the configuration. */
export function compare(before: ConfigSnapshot, after: ConfigSnapshot): Omit<ConfigEffect, 'summary'> {
  const delaysOf = (c: ConfigSnapshot['categories'][number]): Delays => ({ ackHours: c.ackHours, resolveHours: c.resolveHours, resolveHoursQpv: c.resolveHoursQpv, seasonal: c.seasonal ?? null });
  const oldCats = new Map(before.categories.map((c) => [c.code, c]));
  const delays = after.categories.flatMap((c) => {
    const old = oldCats.get(c.code);
    const a = delaysOf(c);
    const b = old ? delaysOf(old) : null;
    return JSON.stringify(a) === JSON.stringify(b) ? [] : [{ code: c.code, name: c.name, before: b, after: a }];
  });
  const routes: ConfigEffect['routes'] = [];
  const diff = (rule: ConfigEffect['routes'][number]['rule'], b: Map<string, string | null>, a: Map<string, string | null>) => {
    for (const key of [...new Set([...b.keys(), ...a.keys()])].sort()) {
      const x = b.get(key) ?? null;
      const y = a.get(key) ?? null;
      if (x !== y) routes.push({ rule, key, before: x, after: y });
    }
  };
  diff('theme', new Map(before.themes.map((t) => [t.code, t.mode === 'competence' ? t.service : null])), new Map(after.themes.map((t) => [t.code, t.mode === 'competence' ? t.service : null])));
  diff('manager', new Map(before.managers.map((m) => [`${m.organisation} × ${m.theme}`, m.service])), new Map(after.managers.map((m) => [`${m.organisation} × ${m.theme}`, m.service])));
  diff('privateLand', new Map(before.privateLand.map((p) => [p.commune, p.service])), new Map(after.privateLand.map((p) => [p.commune, p.service])));
  diff('triage', new Map([['triage', before.territory?.triageService ?? null]]), new Map([['triage', after.territory?.triageService ?? null]]));
  const outcome = (s: ConfigSnapshot['subsectors'][number]) => (s.outcome === 'delegated' ? `délégué à ${s.delegate}` : 'gestion partagée');
  const oldSubs = new Map(before.subsectors.map((s) => [s.id, s]));
  const subsectors = after.subsectors.flatMap((s) => {
    const old = oldSubs.get(s.id);
    return old && outcome(old) !== outcome(s) ? [{ id: s.id, name: s.name, before: outcome(old), after: outcome(s) }] : [];
  });
  return { delays, routes, subsectors };
}
