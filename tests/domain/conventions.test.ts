import { describe, expect, it } from 'vitest';
import { bindingObligation, checkConvention, conventionInForce, conventionStatusAt, obligationConflict, parisDay, themeObligation, type ConventionFact } from '../../server/src/domain/conventions.js';
import { isStaleEntry, matchesWords, reminderPeriod } from '../../server/src/domain/directory.js';
import { broadcastScope, mayAcknowledgeBroadcast, mayIssueBroadcast, seesBroadcast } from '../../server/src/domain/access.js';
import { computeDelays } from '../../server/src/domain/reports.js';
import { resolveServices, type RoutingConfig, type SpotFacts } from '../../server/src/domain/lookup.js';

const svc = (code: string, org: string) => ({ code, name: `Service ${code}`, email: null, phone: null, organisation: { code: org, name: `Org ${org}` } });
const cfg: RoutingConfig = {
  themes: [{ code: 'proprete', name: 'Propreté', mode: 'ownership', serviceCode: null }, { code: 'dechets', name: 'Déchets', mode: 'competence', serviceCode: 'agglo-dechets' }],
  services: { 'agglo-dechets': svc('agglo-dechets', 'agglo'), 'agglo-gup': svc('agglo-gup', 'agglo'), 'hlm-prox': svc('hlm-prox', 'hlm'), 'prestataire': svc('prestataire', 'agglo') },
  organisations: { agglo: { code: 'agglo', name: 'Agglo', kind: 'agglomeration', insee: null }, hlm: { code: 'hlm', name: 'HLM', kind: 'landlord', insee: null } },
  managers: { hlm: { '*': 'hlm-prox' } },
  privateLand: {},
  triageServiceCode: 'agglo-gup',
  publicDomainOwner: 'agglomeration',
};
const conv = (extra: Partial<ConventionFact> = {}): ConventionFact => ({
  subsectorId: 7, title: 'Convention Résidence des Tilleuls', status: 'signed', validFrom: '2026-01-01', validTo: '2026-12-31',
  obligations: [{ theme: 'proprete', task: 'Balayage', service: 'prestataire', frequency: 'quotidienne', delayHours: 8 }], ...extra,
});
const facts = (convention: ConventionFact | null, at: Date): SpotFacts => ({
  communeInsee: '11111', communeName: 'Ville', parcel: null, ownership: null, at, convention,
  subSector: { id: 7, name: 'Les Tilleuls', outcome: 'delegated', delegateOrganisationCode: 'hlm', threshold: 0.6, delegateShare: 0.8 },
});

describe('conventions (DESIGN 3.8)', () => {
  it('when the day is counted, then it is the Paris day, first and last days included', () => {
    expect(parisDay(new Date('2026-12-31T23:30:00Z'))).toBe('2027-01-01');
    expect(conventionInForce(conv(), new Date('2025-12-31T23:30:00Z'))).toBe(true); // 00:30 on 1 January in Paris
    expect(conventionInForce(conv(), new Date('2026-12-31T22:59:00Z'))).toBe(true);
    expect(conventionInForce(conv(), new Date('2026-12-31T23:00:00Z'))).toBe(false);
    expect(conventionStatusAt(conv(), new Date('2027-01-02T12:00:00Z'))).toBe('expired');
    expect(conventionInForce(conv({ status: 'draft' }), new Date('2026-06-01T12:00:00Z'))).toBe(false);
  });

  it('when a signed convention is in force, then its obligation routes the theme before the delegation, and names the convention', () => {
    const [a] = resolveServices(facts(conv(), new Date('2026-06-01T12:00:00Z')), cfg, 'proprete');
    expect(a).toMatchObject({ rule: 'convention', service: { code: 'prestataire' }, obligation: { delayHours: 8, convention: 'Convention Résidence des Tilleuls' } });
    expect(a!.reason).toContain('convention « Convention Résidence des Tilleuls »');
    expect(resolveServices(facts(conv(), new Date('2026-06-01T12:00:00Z')), cfg, 'dechets')[0]!.rule).toBe('competence');
    expect(bindingObligation(conv(), 'dechets', new Date('2026-06-01T12:00:00Z'))).toBeNull();
  });

  it('when one service holds several tasks of a theme, then the shortest delay binds (the first listed on a tie), whatever the order', () => {
    const sweep = { theme: 'proprete', task: 'Balayage', service: 'prestataire', frequency: 'quotidienne', delayHours: 48 };
    const bulky = { ...sweep, task: 'Encombrants', delayHours: 12 };
    const tie = { ...sweep, task: 'Corbeilles', delayHours: 12 };
    expect(themeObligation([sweep, bulky], 'proprete')?.task).toBe('Encombrants');
    expect(themeObligation([bulky, sweep], 'proprete')?.task).toBe('Encombrants');
    expect(themeObligation([sweep, tie, bulky], 'proprete')?.task).toBe('Corbeilles');
    expect(themeObligation([sweep], 'eclairage')).toBeNull();
    const [a] = resolveServices(facts(conv({ obligations: [sweep, bulky] }), new Date('2026-06-01T12:00:00Z')), cfg, 'proprete');
    expect(a).toMatchObject({ rule: 'convention', obligation: { task: 'Encombrants', delayHours: 12 } });
    expect(a!.reason).toContain('Encombrants');
    expect(bindingObligation(conv({ obligations: [sweep, bulky] }), 'proprete', new Date('2026-06-01T12:00:00Z'))?.task).toBe('Encombrants');
  });

  it('when two obligations of a theme name two services or repeat a task, then the convention is refused naming both; other themes and one service\'s tasks are fine', () => {
    const sweep = { theme: 'proprete', task: 'Balayage', service: 'prestataire', frequency: 'quotidienne', delayHours: 48 };
    expect(obligationConflict([sweep, { ...sweep, task: 'Encombrants', service: 'hlm-prox' }])).toMatchObject({ index: 1, with: 0, field: 'service' });
    expect(obligationConflict([sweep, { ...sweep, task: '  BALAYÂGE ' }])).toMatchObject({ index: 1, with: 0, field: 'task' });
    expect(obligationConflict([sweep, { ...sweep, theme: 'eclairage', service: 'hlm-prox' }, { ...sweep, task: 'Encombrants' }])).toBeNull();
    const check = checkConvention({ status: 'draft', validFrom: null, validTo: null, parties: [], obligations: [sweep, { ...sweep, task: 'Encombrants', service: 'hlm-prox' }] });
    expect(check).toMatchObject({ valid: false, field: 'obligations.1.service' });
    expect(!check.valid && check.reason).toMatch(/n° 2 .*« hlm-prox ».*n° 1 \(« Balayage »\) à « prestataire »/);
  });

  it('when the convention has expired or is a draft, then the delegation decides again', () => {
    for (const [c, at] of [[conv(), new Date('2027-02-01T12:00:00Z')], [conv({ status: 'draft' }), new Date('2026-06-01T12:00:00Z')], [conv({ status: 'expired' }), new Date('2026-06-01T12:00:00Z')]] as const) {
      const [a] = resolveServices(facts(c, at), cfg, 'proprete');
      expect(a).toMatchObject({ rule: 'subsector', service: { code: 'hlm-prox' }, obligation: null });
    }
  });

  it('when the obligation sets a delay, then it replaces the category\'s, QPV and season, and urgency still shortens it', () => {
    const cat = { ackHours: 24, resolveHours: 72, resolveHoursQpv: 48, seasonal: { months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], resolveHours: 36 } };
    const at = new Date('2026-06-01T12:00:00Z');
    const d = computeDelays(cat, { at, inQpv: true, urgent: false, urgencyHours: 4, obligationHours: 100 });
    expect(d.basis).toBe('convention');
    expect((d.resolveDueAt.getTime() - at.getTime()) / 3_600_000).toBe(100);
    expect(computeDelays(cat, { at, inQpv: false, urgent: false, urgencyHours: 4, obligationHours: 8 }).ackDueAt.getTime() - at.getTime()).toBe(8 * 3_600_000);
    expect(computeDelays(cat, { at, inQpv: false, urgent: true, urgencyHours: 4, obligationHours: 8 }).basis).toBe('urgence');
  });

  it('when a convention is incoherent, then the first problem is named by its field', () => {
    const ok = { status: 'signed' as const, validFrom: '2026-01-01', validTo: null, parties: ['a', 'b'], obligations: conv().obligations };
    expect(checkConvention(ok)).toEqual({ valid: true });
    expect(checkConvention({ ...ok, validFrom: null })).toMatchObject({ valid: false, field: 'validFrom' });
    expect(checkConvention({ ...ok, validTo: '2025-12-31' })).toMatchObject({ valid: false, field: 'validTo' });
    expect(checkConvention({ ...ok, parties: ['a', 'a'] })).toMatchObject({ valid: false, field: 'parties' });
    expect(checkConvention({ ...ok, obligations: [] })).toMatchObject({ valid: false, field: 'obligations' });
    expect(checkConvention({ ...ok, status: 'draft', validFrom: null, parties: [], obligations: [] })).toEqual({ valid: true });
  });
});

describe('directory and broadcasts rules (DESIGN 3.7)', () => {
  it('when an entry was verified more than six months ago or never, then it is stale; reminders go by half-year', () => {
    expect(isStaleEntry(null, new Date('2026-07-11T08:00:00Z'))).toBe(true);
    expect(isStaleEntry('2026-01-10', new Date('2026-07-11T08:00:00Z'))).toBe(true);
    expect(isStaleEntry('2026-01-10', new Date('2026-07-09T08:00:00Z'))).toBe(false);
    expect(reminderPeriod(new Date('2026-06-30T12:00:00Z'))).toBe('2026-S1');
    expect(reminderPeriod(new Date('2026-07-01T12:00:00Z'))).toBe('2026-S2');
  });

  it('when words are typed in any order, with or without accents, then the entry matches', () => {
    expect(matchesWords('Athis-Mons — Propreté urbaine', 'proprete athis')).toBe(true);
    expect(matchesWords('Athis-Mons — Propreté urbaine', 'ATHIS propreté')).toBe(true);
    expect(matchesWords('Athis-Mons — Propreté urbaine', 'juvisy propreté')).toBe(false);
    expect(matchesWords('Athis-Mons', 'his')).toBe(false); // words start where words start
  });

  it('when a commune user reads broadcasts, then only its commune\'s; officers and admins issue them', () => {
    const athis = { role: 'commune_user' as const, communeInsee: '91027', serviceCode: null };
    expect(broadcastScope(athis)).toEqual({ kind: 'commune', insee: '91027' });
    expect(seesBroadcast(athis, ['91326'])).toBe(false);
    expect(seesBroadcast(athis, ['91326', '91027'])).toBe(true);
    expect(seesBroadcast({ role: 'commune_user', communeInsee: null, serviceCode: null }, ['91027'])).toBe(false);
    expect(seesBroadcast({ role: 'service_agent', communeInsee: null, serviceCode: 'x' }, ['91027'])).toBe(true);
    expect(mayAcknowledgeBroadcast(athis, ['91027'])).toBe(true);
    expect(mayAcknowledgeBroadcast({ role: 'gup_officer', communeInsee: null, serviceCode: null }, ['91027'])).toBe(false);
    expect(['admin', 'gup_officer', 'planner', 'commune_user', 'service_agent'].filter((role) => mayIssueBroadcast({ role: role as any }))).toEqual(['admin', 'gup_officer']);
  });
});
