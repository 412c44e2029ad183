import { describe, expect, it } from 'vitest';
import { planActivity, type ActivityInput } from '../../server/src/domain/demo-activity.js';

const input = (seed: number): ActivityInput => ({
  seed, count: 400, now: new Date('2026-06-15T12:00:00Z'), days: 365,
  spots: [
    { communeInsee: '91027', lon: 2.36, lat: 48.70, inQpv: true, serviceByTheme: { proprete: 'oph-proximite', espaces_verts: 'oph-proximite' } },
    { communeInsee: '91326', lon: 2.38, lat: 48.69, inQpv: false, serviceByTheme: { proprete: 'com-91326-st', espaces_verts: 'com-91326-st' } },
  ],
  categories: [
    { code: 'depot_sauvage', themeCode: 'proprete', ackHours: 24, resolveHours: 72, resolveHoursQpv: 48, seasonal: null },
    { code: 'espace_vert', themeCode: 'espaces_verts', ackHours: 48, resolveHours: 240, resolveHoursQpv: 168, seasonal: { months: [4, 5, 6, 7, 8, 9], resolveHours: 168, resolveHoursQpv: 120 } },
  ],
  urgencyCriteria: ['danger'], urgencyHours: 24, transferFrom: 'ept-gup',
});

describe('Demo activity plan', () => {
  it('when planned twice with the same seed, then the plans are identical; with another seed, they differ', () => {
    expect(planActivity(input(7))).toEqual(planActivity(input(7)));
    expect(planActivity(input(8))).not.toEqual(planActivity(input(7)));
  });

  it('when planned, then every report lies in the year before now, with deadlines from the delay rule and a coherent timeline', () => {
    const now = input(1).now.getTime();
    for (const p of planActivity(input(1))) {
      expect(p.createdAt.getTime()).toBeLessThan(now);
      expect(p.createdAt.getTime()).toBeGreaterThanOrEqual(now - 365 * 86_400_000);
      expect(p.resolveDueAt.getTime()).toBeGreaterThan(p.createdAt.getTime());
      expect(p.events[0]).toMatchObject({ from: null, to: 'submitted' });
      for (const e of p.events) expect(e.at.getTime()).toBeLessThan(now);
      if (p.status === 'closed' || p.status === 'resolved') expect(p.resolvedAt).not.toBeNull();
      if (p.satisfaction !== null) expect(p.status).toBe('closed');
      if (p.spot === 0 && p.categoryCode === 'depot_sauvage' && !p.urgent && p.transferCount === 0) expect(p.delayBasis).toBe('QPV'); // the QPV delay
    }
  });
});
