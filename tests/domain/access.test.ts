import { describe, expect, it } from 'vitest';
import { canReport, canSee, inScope, mayReportIn, reportScope, scopeKey } from '../../server/src/domain/access.js';
import { publicPosition } from '../../server/src/domain/open311.js';
import { CLOSED_STATUS_LIST, isPublicAnswer, latestPublicAnswer, OPEN_STATUSES, REPORT_STATUSES } from '../../server/src/domain/reports.js';

const user = (role: string, communeInsee: string | null = null, serviceCode: string | null = null) => ({ role, communeInsee, serviceCode }) as Parameters<typeof reportScope>[0];
const athisOph = { communeInsee: '91027', serviceCode: 'oph-proximite', alsoNotify: ['ept-dechets'] };

describe('who sees a report', () => {
  it.each([
    ['admin', user('admin'), { kind: 'all' }, true],
    ['planner', user('planner'), { kind: 'all' }, true],
    ['GUP officer', user('gup_officer'), { kind: 'all' }, true],
    ['Athis commune user', user('commune_user', '91027'), { kind: 'commune', insee: '91027' }, true],
    ['Juvisy commune user', user('commune_user', '91326'), { kind: 'commune', insee: '91326' }, false],
    ['routed service', user('service_agent', null, 'oph-proximite'), { kind: 'service', code: 'oph-proximite' }, true],
    ['service in copy', user('service_agent', null, 'ept-dechets'), { kind: 'service', code: 'ept-dechets' }, true],
    ['other service', user('service_agent', null, 'esh-gestion'), { kind: 'service', code: 'esh-gestion' }, false],
    ['commune user without commune', user('commune_user'), { kind: 'none' }, false],
    ['service agent without service', user('service_agent', '91027'), { kind: 'none' }, false],
  ])('when the reader is the %s, then its scope says so and canSee follows it', (_label, u, scope, sees) => {
    expect(reportScope(u)).toEqual(scope);
    expect(canSee(u, athisOph)).toBe(sees);
    expect(inScope(reportScope(u), athisOph)).toBe(sees);
  });

  it('when scopes differ, then their keys differ; the same scope gives the same key', () => {
    const keys = [reportScope(user('admin')), reportScope(user('commune_user', '91027')), reportScope(user('service_agent', null, '91027')), reportScope(user('commune_user'))].map(scopeKey);
    expect(new Set(keys).size).toBe(4);
    expect(scopeKey(reportScope(user('planner')))).toBe(scopeKey(reportScope(user('gup_officer'))));
  });
});

describe('who reports', () => {
  it('when the role is commune user, officer or admin, then it reports; a commune user in its commune only', () => {
    expect(['commune_user', 'gup_officer', 'admin', 'planner', 'service_agent'].filter((r) => canReport({ role: r as never }))).toEqual(['commune_user', 'gup_officer', 'admin']);
    expect(mayReportIn(user('commune_user', '91027'), '91027')).toBe(true);
    expect(mayReportIn(user('commune_user', '91027'), '91326')).toBe(false);
    expect(mayReportIn(user('gup_officer'), '91326')).toBe(true);
    expect(mayReportIn(user('service_agent', '91027', 'oph-proximite'), '91027')).toBe(false);
  });
});

describe('open statuses', () => {
  it('when the statuses are split, then open and closed cover every status once', () => {
    expect([...OPEN_STATUSES, ...CLOSED_STATUS_LIST].sort()).toEqual([...REPORT_STATUSES].sort());
    expect(CLOSED_STATUS_LIST).toEqual(['resolved', 'closed', 'rejected', 'duplicate']);
  });
});

describe('what the commune was told', () => {
  const t = (toStatus: string, comment: string | null = null) => ({ kind: 'transition', toStatus, comment });
  it('when a comment resolves or rejects, then it is a public answer; a transfer reason or a comment is not', () => {
    expect(isPublicAnswer(t('resolved', 'Tag effacé'))).toBe(true);
    expect(isPublicAnswer(t('rejected', 'Hors du domaine public'))).toBe(true);
    expect(isPublicAnswer(t('transferred', 'Voir Mme Durand'))).toBe(false);
    expect(isPublicAnswer(t('resolved', '  '))).toBe(false);
    expect(isPublicAnswer({ kind: 'comment', toStatus: null, comment: 'Passage demain' })).toBe(false);
  });

  it('when the report was answered, closed, then reopened, then the answer holds until the reopening', () => {
    const events = [t('submitted'), t('transferred', 'interne'), t('resolved', 'Fait le 12'), t('closed')];
    expect(latestPublicAnswer(events.slice(0, 2))).toBeNull();
    expect(latestPublicAnswer(events)).toBe('Fait le 12');
    expect(latestPublicAnswer([...events, t('submitted', 'Le tag est revenu')])).toBeNull();
    expect(latestPublicAnswer([...events, t('submitted', 'revenu'), t('rejected', 'Déjà traité')])).toBe('Déjà traité');
  });
});

describe('public position', () => {
  it('when points of one 100 m cell are published, then they get the same centre, never the exact point, within ~71 m', () => {
    const metres = ([a, b]: number[], [c, d]: number[]) => Math.hypot((a! - c!) * 111_320 * Math.cos((b! * Math.PI) / 180), (b! - d!) * 111_320);
    for (const p of [[2.36, 48.703], [2.3712345, 48.6987654], [-1.5536, 47.2184], [55.45, -20.88]] as [number, number][]) {
      const c = publicPosition(p[0], p[1]);
      expect(c).not.toEqual(p);
      expect(metres(p, c)).toBeLessThan(72);
      expect(publicPosition(c[0], c[1])).toEqual(c); // a centre is its own cell's centre
    }
    expect(publicPosition(2.36, 48.703)).toEqual(publicPosition(2.36001, 48.70301));
  });
});
