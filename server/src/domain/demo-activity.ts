/**
 * A year of synthetic demo activity (issue 12, DESIGN 3.5), as a pure, deterministic plan: the same seed and inputs give
 * the same reports. Seasonality (more dumping in summer, green spaces in spring and summer, lighting in winter),
 * services of unequal speed, QPV delays (through `computeDelays`), about one report in ten late, transfers, duplicates,
 * rejections, reopenings, urgencies (some flagged not justified), channels and the communes' ratings.
 * The server turns the plan into rows (server/src/services/demo-activity.ts); every report is flagged synthetic.
 */
import { computeDelays, type CategoryDelays, type ReportStatus } from './reports.js';

/** A small fast seeded PRNG (mulberry32): uniform in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A string's stable number (FNV-1a), to give each service its own speed whatever the order of the configuration. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export interface ActivitySpot {
  communeInsee: string;
  lon: number;
  lat: number;
  inQpv: boolean;
  /** The managing service of each theme at the spot (DESIGN 3.1, from the lookup). */
  serviceByTheme: Record<string, string>;
}

export interface ActivityCategory extends CategoryDelays {
  code: string;
  themeCode: string;
}

export interface PlannedEvent {
  at: Date;
  from: ReportStatus | null;
  to: ReportStatus | null;
  kind: 'transition' | 'urgency_flag';
  comment: string | null;
}

export interface PlannedReport {
  spot: number;
  categoryCode: string;
  createdAt: Date;
  urgent: boolean;
  urgencyCriterion: string | null;
  urgencyNotJustified: boolean;
  source: 'web' | 'open311' | 'diagnosis';
  status: ReportStatus;
  serviceCode: string;
  ackDueAt: Date;
  resolveDueAt: Date;
  delayBasis: string;
  ackAt: Date | null;
  resolvedAt: Date | null;
  finishedAt: Date | null;
  transferCount: number;
  reopenedCount: number;
  satisfaction: number | null;
  duplicate: boolean;
  events: PlannedEvent[];
}

export interface ActivityInput {
  seed: number;
  count: number;
  now: Date;
  days: number;
  spots: ActivitySpot[];
  categories: ActivityCategory[];
  urgencyCriteria: string[];
  urgencyHours: number | null;
  /** Where a transferred report first went by mistake (the triage service, in the demo). */
  transferFrom: string;
}

const H = 3_600_000;

/** How much more often a category is reported in a month (1–12, Paris): dumping in summer, green spaces in spring and summer, lighting in winter. */
function seasonWeight(category: string, month: number): number {
  if (category === 'depot_sauvage') return month >= 6 && month <= 9 ? 1.9 : 1;
  if (category === 'espace_vert') return month >= 4 && month <= 9 ? 2.2 : 0.5;
  if (category === 'eclairage_panne') return month >= 11 || month <= 2 ? 1.8 : 0.8;
  return 1;
}

/** Share of reports by category (dumping and litter lead, as in every GUP observatory). */
const CATEGORY_WEIGHT: Record<string, number> = { depot_sauvage: 5, bac_deborde: 3, salissure: 3, graffiti: 2, eclairage_panne: 1.5, mobilier_degrade: 1.2, espace_vert: 1.5, voirie_degradee: 1.3 };

/** Paris month of an instant, without Intl (summer time is close enough for a season weight). */
const monthOf = (d: Date) => new Date(d.getTime() + 2 * H).getUTCMonth() + 1;

function pickWeighted<T>(rand: () => number, items: readonly T[], weight: (t: T) => number): T {
  const total = items.reduce((s, t) => s + weight(t), 0);
  let x = rand() * total;
  for (const t of items) {
    x -= weight(t);
    if (x <= 0) return t;
  }
  return items[items.length - 1]!;
}

/**
 * The plan of `count` reports over the `days` before `now`.
 * @example planActivity({ seed: 1, count: 10, now, days: 365, spots, categories, urgencyCriteria: ['danger'], urgencyHours: 24, transferFrom: 'ept-gup' }).length // 10
 */
export function planActivity(input: ActivityInput): PlannedReport[] {
  const rand = prng(input.seed);
  const between = (a: number, b: number) => a + (b - a) * rand();
  const { spots, categories } = input;
  if (spots.length === 0 || categories.length === 0) return [];
  // a few recurring spots (hotspots) draw many more reports; QPV spots more than the others
  const spotWeight = spots.map((s, i) => (i % 23 === 0 ? 12 : 1) * (s.inQpv ? 3 : 1));
  const spotIndex = spots.map((_, i) => i);
  const start = input.now.getTime() - input.days * 24 * H;
  const plans: PlannedReport[] = [];
  for (let n = 0; n < input.count; n++) {
    const category = pickWeighted(rand, categories, (c) => CATEGORY_WEIGHT[c.code] ?? 1);
    // a day by rejection against the season, in working hours (7 h–19 h Paris)
    let created: Date;
    do {
      const day = Math.floor(rand() * input.days);
      created = new Date(start + day * 24 * H + Math.floor(between(6, 18) * H));
    } while (rand() * 2.2 > seasonWeight(category.code, monthOf(created)) || created.getTime() >= input.now.getTime());
    const s = pickWeighted(rand, spotIndex, (i) => spotWeight[i]!);
    const spot = spots[s]!;
    const serviceCode = spot.serviceByTheme[category.themeCode] ?? input.transferFrom;
    const urgent = rand() < 0.06 && input.urgencyCriteria.length > 0;
    const urgencyNotJustified = urgent && rand() < 0.3;
    const channelDraw = rand();
    const source = channelDraw < 0.8 ? 'web' : channelDraw < 0.95 ? 'open311' : 'diagnosis';
    const events: PlannedEvent[] = [{ at: created, from: null, to: 'submitted', kind: 'transition', comment: null }];
    // a transfer (about 7 %): first routed to the wrong service, re-routed within a day or two; both clocks restart
    const transferred = rand() < 0.07;
    let clock = created;
    if (transferred) {
      clock = new Date(created.getTime() + between(2, 40) * H);
      events.push({ at: clock, from: 'submitted', to: 'transferred', kind: 'transition', comment: 'Hors compétence : réorienté vers le service gestionnaire' });
    }
    const delays = computeDelays(category, { at: clock, inQpv: spot.inQpv, urgent: urgent && !urgencyNotJustified, urgencyHours: input.urgencyHours });
    const ackHours = (delays.ackDueAt.getTime() - clock.getTime()) / H;
    const resolveHours = (delays.resolveDueAt.getTime() - clock.getTime()) / H;
    // each service its own pace: 0.45 (fast) to 1.25 (slow) of the delay; about one report in ten resolved late
    const pace = 0.45 + (hash(serviceCode) % 1000) / 1250;
    const lateResolve = rand() < 0.02 + 0.07 * pace;
    const ackAt = new Date(clock.getTime() + ackHours * (rand() < 0.05 + 0.05 * pace ? between(1.05, 3) : between(0.05, 0.9) * pace) * H);
    let resolvedAt = new Date(clock.getTime() + resolveHours * (lateResolve ? between(1.05, 2.6) : between(0.15, 0.97) * Math.min(1, pace + 0.1)) * H);
    if (resolvedAt <= ackAt) resolvedAt = new Date(ackAt.getTime() + between(1, 6) * H);
    const plan: PlannedReport = {
      spot: s, categoryCode: category.code, createdAt: created, urgent, urgencyCriterion: urgent ? input.urgencyCriteria[Math.floor(rand() * input.urgencyCriteria.length)]! : null,
      urgencyNotJustified, source, status: 'submitted', serviceCode, ackDueAt: delays.ackDueAt, resolveDueAt: delays.resolveDueAt, delayBasis: delays.basis,
      ackAt: null, resolvedAt: null, finishedAt: null, transferCount: transferred ? 1 : 0, reopenedCount: 0, satisfaction: null, duplicate: false, events,
    };
    const now = input.now.getTime();
    const past = (d: Date) => d.getTime() < now;
    if (transferred) plan.status = 'transferred';
    if (urgencyNotJustified) events.push({ at: new Date(created.getTime() + between(1, 8) * H), from: null, to: null, kind: 'urgency_flag', comment: 'Urgence non justifiée' });
    // rejected (3 %) or merged into an earlier report (4 %), decided by the GUP mission within a day
    const fate = rand();
    if (fate < 0.07) {
      const at = new Date(created.getTime() + between(1, 20) * H);
      if (past(at)) {
        plan.status = fate < 0.03 ? 'rejected' : 'duplicate';
        plan.duplicate = plan.status === 'duplicate';
        plan.finishedAt = at;
        events.push({ at, from: events.at(-1)!.to ?? 'submitted', to: plan.status, kind: 'transition', comment: plan.status === 'rejected' ? 'Hors du champ de la GUP (demande de particulier)' : 'Déjà signalé' });
      }
      plans.push(plan);
      continue;
    }
    if (past(ackAt)) {
      plan.ackAt = ackAt;
      plan.status = 'acknowledged';
      events.push({ at: ackAt, from: plan.transferCount ? 'transferred' : 'submitted', to: 'acknowledged', kind: 'transition', comment: null });
    }
    if (past(resolvedAt)) {
      plan.status = 'resolved';
      plan.resolvedAt = resolvedAt;
      plan.finishedAt = resolvedAt;
      events.push({ at: resolvedAt, from: 'acknowledged', to: 'resolved', kind: 'transition', comment: 'Intervention réalisée' });
      // reopened (3 %): the commune finds it not done; resolved again a few days later
      if (rand() < 0.03) {
        const reopenAt = new Date(resolvedAt.getTime() + between(4, 48) * H);
        const again = new Date(reopenAt.getTime() + between(24, 120) * H);
        if (past(reopenAt)) {
          plan.reopenedCount = 1;
          plan.status = 'submitted';
          plan.resolvedAt = null;
          plan.finishedAt = null;
          events.push({ at: reopenAt, from: 'resolved', to: 'submitted', kind: 'transition', comment: 'Toujours présent' });
          if (past(again)) {
            plan.status = 'resolved';
            plan.resolvedAt = again;
            plan.finishedAt = again;
            events.push({ at: again, from: 'submitted', to: 'resolved', kind: 'transition', comment: 'Nouvelle intervention réalisée' });
          }
        }
      }
      // closed by the commune (7 in 10), rated 6 times in 10: pleased when on time
      const closeAt = new Date((plan.resolvedAt ?? resolvedAt).getTime() + between(2, 96) * H);
      if (plan.status === 'resolved' && past(closeAt) && rand() < 0.7) {
        plan.status = 'closed';
        if (rand() < 0.6) {
          const onTime = plan.resolvedAt! <= plan.resolveDueAt;
          plan.satisfaction = onTime ? (rand() < 0.7 ? 5 : 4) : 1 + Math.floor(rand() * 3);
        }
        events.push({ at: closeAt, from: 'resolved', to: 'closed', kind: 'transition', comment: null });
      }
    }
    plans.push(plan);
  }
  return plans;
}
