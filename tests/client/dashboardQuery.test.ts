import { describe, expect, it } from 'vitest';
import { formatDashboardQuery, parseDashboardQuery, previousPeriod, statsParams } from '../../client/src/stores/dashboardQuery.js';

describe('dashboard state in the URL', () => {
  it('when a shared link carries a period, a dimension and filters, then they are read back, written the same way and sent to the API', () => {
    const query = { from: '2026-01-01', to: '2026-06-30', groupBy: 'commune', qpv: 'QP091028', urgent: 'true', channel: 'open311', theme: 'proprete' };
    const parsed = parseDashboardQuery(query);
    expect(parsed).toEqual({ from: '2026-01-01', to: '2026-06-30', groupBy: 'commune', filters: { qpv: 'QP091028', urgent: 'true', channel: 'open311', theme: 'proprete' } });
    expect(formatDashboardQuery(parsed)).toEqual(query);
    expect(statsParams(parsed, 'month')).toEqual({ groupBy: 'month', from: '2026-01-01', to: '2026-06-30', qpv: 'QP091028', urgent: 'true', channel: 'open311', theme: 'proprete' });
  });

  it('when the URL holds odd values, then they are left out and the API\'s defaults stand', () => {
    const parsed = parseDashboardQuery({ from: 'hier', groupBy: 'street', qpv: 'Noyer', channel: 'fax', commune: '91027', urgent: 'maybe' });
    expect(parsed).toEqual({ from: '', to: '', groupBy: 'month', filters: { commune: '91027' } });
    expect(formatDashboardQuery(parseDashboardQuery({}))).toEqual({});
  });
});

describe('the previous period', () => {
  it('when a period is given, then the one before has the same number of days and ends the day before', () => {
    expect(previousPeriod('2026-02-01', '2026-02-28')).toEqual({ from: '2026-01-04', to: '2026-01-31' });
    expect(previousPeriod('2026-03-01', '2026-03-01')).toEqual({ from: '2026-02-28', to: '2026-02-28' });
    expect(previousPeriod('2025-11-30', '2026-11-29')).toEqual({ from: '2024-11-30', to: '2025-11-29' });
  });
});
