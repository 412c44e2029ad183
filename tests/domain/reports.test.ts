import { describe, expect, it } from 'vitest';
import { availableActions, checkAction, computeDelays, isOverdue, parisMonth, relationsOf } from '../../server/src/domain/reports.js';

const espaceVert = { ackHours: 48, resolveHours: 240, resolveHoursQpv: 168, seasonal: { months: [4, 5, 6, 7, 8, 9], resolveHours: 168, resolveHoursQpv: 120 } };
const depot = { ackHours: 24, resolveHours: 72, resolveHoursQpv: 48, seasonal: null };
const hoursBetween = (a: Date, b: Date) => (b.getTime() - a.getTime()) / 3_600_000;

describe('delays', () => {
  const winter = new Date('2026-01-15T10:00:00Z');
  const summer = new Date('2026-06-15T10:00:00Z');
  it('when outside a QPV in winter, then the category delay applies', () => {
    const d = computeDelays(espaceVert, { at: winter, inQpv: false, urgent: false, urgencyHours: 24 });
    expect(hoursBetween(winter, d.ackDueAt)).toBe(48);
    expect(hoursBetween(winter, d.resolveDueAt)).toBe(240);
    expect(d.basis).toBe('catégorie');
  });
  it('when inside a QPV, then the QPV delay applies', () => {
    const d = computeDelays(depot, { at: winter, inQpv: true, urgent: false, urgencyHours: 24 });
    expect(hoursBetween(winter, d.resolveDueAt)).toBe(48);
    expect(d.basis).toBe('QPV');
  });
  it('when in the seasonal months, then the seasonal delay applies, and its QPV delay inside a QPV', () => {
    expect(hoursBetween(summer, computeDelays(espaceVert, { at: summer, inQpv: false, urgent: false, urgencyHours: 24 }).resolveDueAt)).toBe(168);
    const qpv = computeDelays(espaceVert, { at: summer, inQpv: true, urgent: false, urgencyHours: 24 });
    expect(hoursBetween(summer, qpv.resolveDueAt)).toBe(120);
    expect(qpv.basis).toBe('saison, QPV');
  });
  it('when urgent, then the urgency delay applies to resolution and acknowledgement', () => {
    const d = computeDelays(espaceVert, { at: winter, inQpv: true, urgent: true, urgencyHours: 24 });
    expect(hoursBetween(winter, d.resolveDueAt)).toBe(24);
    expect(hoursBetween(winter, d.ackDueAt)).toBe(24);
    expect(d.basis).toBe('urgence');
  });
  it('when a report is open past its deadline, then it is overdue; once resolved it is not', () => {
    expect(isOverdue('acknowledged', new Date('2026-01-01'), new Date('2026-01-02'))).toBe(true);
    expect(isOverdue('resolved', new Date('2026-01-01'), new Date('2026-01-02'))).toBe(false);
  });
});

describe('lifecycle', () => {
  const agent = { role: 'service_agent' as const, communeInsee: null, serviceCode: 'oph-proximite' };
  const mairie = { role: 'commune_user' as const, communeInsee: '91027', serviceCode: null };
  const report = { communeInsee: '91027', serviceCode: 'oph-proximite' };
  it('when the routed service acts, then it may acknowledge, progress, resolve with an answer and transfer, not reject', () => {
    const rel = relationsOf(agent, report);
    expect(rel).toEqual(['service']);
    expect(checkAction('acknowledge', 'submitted', rel, { hasComment: false })).toEqual({ ok: true, to: 'acknowledged' });
    expect(checkAction('start', 'acknowledged', rel, { hasComment: false })).toEqual({ ok: true, to: 'in_progress' });
    expect(checkAction('resolve', 'in_progress', rel, { hasComment: false })).toMatchObject({ ok: false, status: 409 });
    expect(checkAction('resolve', 'in_progress', rel, { hasComment: true })).toEqual({ ok: true, to: 'resolved' });
    expect(checkAction('reject', 'submitted', rel, { hasComment: true })).toMatchObject({ ok: false, status: 403 });
    expect(checkAction('acknowledge', 'resolved', rel, { hasComment: false })).toMatchObject({ ok: false, status: 409 });
  });
  it('when another service acts, then it has no relation to the report', () => {
    expect(relationsOf({ ...agent, serviceCode: 'ept-dechets' }, report)).toEqual([]);
  });
  it('when the commune acts, then it may comment, close a resolved report and reopen it within 7 days only', () => {
    const rel = relationsOf(mairie, report);
    expect(checkAction('close', 'resolved', rel, { hasComment: false })).toEqual({ ok: true, to: 'closed' });
    const now = new Date('2026-03-10T00:00:00Z');
    expect(checkAction('reopen', 'closed', rel, { hasComment: true, resolvedAt: new Date('2026-03-05T00:00:00Z'), now }).ok).toBe(true);
    expect(checkAction('reopen', 'closed', rel, { hasComment: true, resolvedAt: new Date('2026-03-01T00:00:00Z'), now })).toMatchObject({ ok: false, status: 409 });
    expect(checkAction('acknowledge', 'submitted', rel, { hasComment: false })).toMatchObject({ ok: false, status: 403 });
    expect(availableActions('submitted', rel, false)).toEqual(['comment', 'add_info']);
  });
  it('when an officer acts, then it may reject, merge and flag an urgency, but only on urgent reports', () => {
    expect(checkAction('reject', 'acknowledged', ['officer'], { hasComment: true }).ok).toBe(true);
    expect(checkAction('merge', 'submitted', ['officer'], { hasComment: false })).toEqual({ ok: true, to: 'duplicate' });
    expect(checkAction('flag_urgency', 'submitted', ['officer'], { hasComment: false, urgent: false })).toMatchObject({ ok: false, status: 409 });
    expect(checkAction('flag_urgency', 'submitted', ['officer'], { hasComment: false, urgent: true })).toEqual({ ok: true, to: null });
  });
});

describe('parisMonth', () => {
  it('when a date is near a month boundary, then its month is the one of Paris time, whatever was asked before', () => {
    const cases: [string, number][] = [
      ['2026-03-31T21:59:59Z', 3], // 23:59:59 CEST
      ['2026-03-31T22:00:00Z', 4], // 00:00 CEST, 1 April
      ['2026-03-31T21:30:00Z', 3], // back to the previous hour
      ['2026-12-31T22:59:59Z', 12], // 23:59:59 CET
      ['2026-12-31T23:00:00Z', 1], // 00:00 CET, 1 January
      ['2026-12-31T23:00:00Z', 1], // the same hour again
      ['2026-10-31T22:59:00Z', 10], // 23:59 CET, after the October change
      ['2026-10-31T23:00:00Z', 11],
    ];
    for (const [iso, month] of cases) expect(parisMonth(new Date(iso)), iso).toBe(month);
  });
});
