import { describe, expect, it } from 'vitest';
import { defaultListOrder, formatListQuery, hasFilters, parseListQuery } from '../../client/src/stores/reportListQuery.js';

describe('reports list state in the URL', () => {
  it('when a shared link carries filters, order and page, then they are read back and written the same way', () => {
    const query = { status: 'submitted,acknowledged', category: 'depot_sauvage', qpv: 'QP091028', commune: '91027', service: 'oph-proximite', overdue: 'true', order: 'asc', limit: '25', offset: '50' };
    const parsed = parseListQuery(query);
    expect(parsed).toEqual({
      filters: { status: 'submitted,acknowledged', category: 'depot_sauvage', qpv: 'QP091028', commune: '91027', service: 'oph-proximite', overdue: true },
      order: 'asc', limit: 25, offset: 50,
    });
    expect(formatListQuery(parsed)).toEqual(query);
  });

  it('when the URL holds unknown statuses, odd codes, negative offsets or page sizes, then defaults stand in for them', () => {
    const parsed = parseListQuery({ status: 'bogus,resolved', category: 'x;DROP', commune: '9102', service: 'a b', offset: '-3', limit: '7', order: 'sideways', overdue: 'yes' });
    expect(parsed).toEqual({ filters: { status: 'resolved' }, order: 'desc', limit: 50, offset: 0 });
    expect(formatListQuery(parseListQuery({}))).toEqual({});
  });
});

describe('work lists: the default order by role', () => {
  it('when an officer, an admin or a service agent opens the list without an order, then it is the priority order, left out of the URL', () => {
    for (const role of ['gup_officer', 'admin', 'service_agent'] as const) {
      const order = defaultListOrder(role);
      expect(order).toBe('priority');
      const parsed = parseListQuery({}, order);
      expect(parsed.order).toBe('priority');
      expect(formatListQuery(parsed, order)).toEqual({});
      expect(formatListQuery({ ...parsed, order: 'desc' }, order)).toEqual({ order: 'desc' });
    }
  });

  it('when a commune user opens the list, then its latest reports come first', () => {
    expect(defaultListOrder('commune_user')).toBe('desc');
    expect(parseListQuery({ order: 'priority' }, 'desc').order).toBe('priority');
  });
});

describe('empty list message', () => {
  it('when no filter is set, then the list is not said to be filtered; any filter set says it is', () => {
    expect(hasFilters(parseListQuery({}).filters)).toBe(false);
    expect(hasFilters(parseListQuery({ offset: '50', order: 'asc' }).filters)).toBe(false);
    expect(hasFilters(parseListQuery({ commune: '91027' }).filters)).toBe(true);
    expect(hasFilters({ overdue: false })).toBe(false);
  });
});
