import { describe, expect, it } from 'vitest';
import { mayRate } from '../../server/src/domain/reports.js';
import { canClosePeriod, checkPeriod, fixedLabel, MAX_PERIOD_DAYS, monthLabel } from '../../server/src/domain/stats.js';

describe('Statistics rules', () => {
  it('when no bound is given, then the period is the twelve months up to today', () => {
    expect(checkPeriod(undefined, undefined, '2026-11-29')).toEqual({ ok: true, from: '2025-11-29', to: '2026-11-29' });
    expect(checkPeriod('2026-01-01', undefined, '2026-11-29')).toEqual({ ok: true, from: '2026-01-01', to: '2026-11-29' });
  });

  it('when the end comes before the start, or the period is longer than allowed, then the field at fault is named', () => {
    expect(checkPeriod('2026-02-01', '2026-01-31', '2026-11-29')).toMatchObject({ ok: false, field: 'to' });
    const start = new Date(Date.parse('2026-11-29T00:00:00Z') - MAX_PERIOD_DAYS * 86_400_000).toISOString().slice(0, 10);
    expect(checkPeriod(start, '2026-11-29', '2026-11-29')).toMatchObject({ ok: false, field: 'from' });
    const longest = new Date(Date.parse('2026-11-29T00:00:00Z') - (MAX_PERIOD_DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
    expect(checkPeriod(longest, '2026-11-29', '2026-11-29').ok).toBe(true);
  });

  it('when keys need no configuration, then they are labelled in French; configured ones are left to their names', () => {
    expect(monthLabel('2026-08')).toBe('août 2026');
    expect(fixedLabel('month', '2026-02')).toBe('février 2026');
    expect(fixedLabel('qpv', 'qpv')).toBe('En QPV');
    expect(fixedLabel('urgent', 'non_urgent')).toBe('Non urgent');
    expect(fixedLabel('channel', 'diagnosis')).toBe('Diagnostic en marchant');
    expect(fixedLabel('subsector', null)).toBe('Hors sous-secteur');
    expect(fixedLabel('commune', '91027')).toBeNull();
  });

  it('when someone closes a period or rates a report, then only officers and admins close, only the commune rates', () => {
    expect(['gup_officer', 'admin'].every((role) => canClosePeriod({ role: role as 'admin' }))).toBe(true);
    expect(['planner', 'commune_user', 'service_agent'].some((role) => canClosePeriod({ role: role as 'admin' }))).toBe(false);
    expect(mayRate(['commune'])).toBe(true);
    expect(mayRate(['officer'])).toBe(false);
    expect(mayRate(['service'])).toBe(false);
  });
});
