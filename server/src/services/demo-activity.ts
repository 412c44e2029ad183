/**
 * A year of synthetic activity for the demo (issue 12): spots on real parcels, each routed by the lookup of DESIGN 3.1
 * like a real report, timed by the domain's delay rule, and planned deterministically (domain/demo-activity.ts).
 * Loaded once, with the demo data (server/src/demo.ts); every report is flagged `synthetic` ("Donnée de démonstration").
 */
import type { Database } from '../data/db.js';
import { activityAuthors, activityCategories, hasSyntheticReports, insertActivity, sampleSpots, type ActivityRow } from '../data/demo-activity.js';
import type { LookupResult } from '../domain/api.js';
import { planActivity, type ActivitySpot } from '../domain/demo-activity.js';
import type { ServiceAnswer } from '../domain/lookup.js';
import { lookup } from './lookup.js';
import { requireTerritory } from './territory.js';

const DESCRIPTIONS: Record<string, string> = {
  depot_sauvage: 'Encombrants et sacs déposés sur le trottoir',
  bac_deborde: 'Corbeille pleine, déchets au sol autour',
  salissure: 'Salissures et déjections sur le cheminement',
  graffiti: 'Tag sur la façade',
  eclairage_panne: 'Lampadaire éteint le soir',
  mobilier_degrade: 'Banc dégradé, planches cassées',
  espace_vert: 'Pelouse non tondue, haie débordante',
  voirie_degradee: 'Nid-de-poule sur la chaussée',
};

export interface ActivityOptions {
  count?: number;
  seed?: number;
  now?: Date;
  spotsPerCommune?: number;
}

/** Loads the synthetic activity unless it is there already; returns how many reports were added. */
export async function loadDemoActivity(db: Database, opts: ActivityOptions = {}): Promise<number> {
  const { knex } = db;
  if (await hasSyntheticReports(knex)) return 0;
  const t = await requireTerritory(db);
  const users = await activityAuthors(knex);
  const officer = users.find((u) => u.role === 'gup_officer') ?? users.find((u) => u.role === 'admin');
  if (!officer) return 0; // nobody to file them
  const authorOf = (insee: string) => (users.find((u) => u.role === 'commune_user' && u.communeInsee === insee) ?? officer).id;

  const { categories, alsoNotifyOf } = await activityCategories(knex);

  // locate and route every spot once, like a report there (all themes at once)
  const found: LookupResult[] = [];
  for (const p of await sampleSpots(knex, opts.spotsPerCommune ?? 40)) {
    found.push(await lookup(db, p.lon, p.lat).catch(() => null as unknown as LookupResult));
  }
  const located = found.filter((f) => !!f);
  const spots: ActivitySpot[] = located.map((f) => ({
    communeInsee: f.commune.insee, lon: f.point.lon, lat: f.point.lat, inQpv: !!f.qpv,
    serviceByTheme: Object.fromEntries(f.services.map((s) => [s.theme.code, s.service.code])),
  }));
  const now = opts.now ?? new Date();
  const plans = planActivity({
    seed: opts.seed ?? 2026, count: opts.count ?? 3000, now, days: 365, spots, categories,
    urgencyCriteria: t.urgencyCriteria.map((c) => c.code), urgencyHours: t.urgencyResolveHours, transferFrom: t.routing.triageServiceCode,
  });
  const themeOf = new Map(categories.map((c) => [c.code, c.themeCode]));
  const rows: ActivityRow[] = plans.map((p) => {
    const f = located[p.spot]!;
    const answer = f.services.find((s) => s.theme.code === themeOf.get(p.categoryCode)) as ServiceAnswer;
    const alsoNotify = [...new Set([...(alsoNotifyOf.get(p.categoryCode) ?? []), ...answer.coServices.map((s) => s.code)])].filter((c) => c !== answer.service.code);
    const author = authorOf(f.commune.insee);
    const iso = (d: Date | null) => (d ? d.toISOString() : null);
    return {
      categoryCode: p.categoryCode, description: `${DESCRIPTIONS[p.categoryCode] ?? 'Dysfonctionnement constaté'} (donnée de démonstration)`,
      urgent: p.urgent, urgencyCriterion: p.urgencyCriterion, urgencyNotJustified: p.urgencyNotJustified, status: p.status,
      lon: f.point.lon, lat: f.point.lat, communeInsee: f.commune.insee, parcelIdu: f.parcel?.id ?? null,
      owners: f.owners.map((o) => ({ name: o.name, kind: o.kind, organisation: o.organisation?.code ?? null, share: o.share })),
      qpvCode: f.qpv?.code ?? null, subsectorId: f.subSector?.id ?? null, serviceCode: answer.service.code,
      routing: { service: answer.service, reason: answer.reason, rule: answer.rule }, unresolved: answer.unresolved, alsoNotify,
      ackDueAt: p.ackDueAt.toISOString(), resolveDueAt: p.resolveDueAt.toISOString(), delayBasis: p.delayBasis,
      ackAt: iso(p.ackAt), resolvedAt: iso(p.resolvedAt), finishedAt: iso(p.finishedAt), transferCount: p.transferCount, reopenedCount: p.reopenedCount,
      satisfaction: p.satisfaction, source: p.source, createdBy: author, createdAt: p.createdAt.toISOString(),
      updatedAt: (p.events.at(-1)?.at ?? p.createdAt).toISOString(), duplicate: p.duplicate,
      events: p.events.map((e) => ({
        at: e.at.toISOString(), from: e.from, to: e.to, kind: e.kind, comment: e.comment,
        userId: e.to === 'submitted' && e.from === null ? author : e.to === 'closed' || e.from === 'resolved' ? author : officer.id,
      })),
    };
  });
  return insertActivity(knex, rows);
}
