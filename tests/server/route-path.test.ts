import { describe, expect, it } from 'vitest';
import { allows, attachment, compilePath } from '../../server/src/http/route.js';
import { canReport } from '../../server/src/domain/access.js';

describe('route paths of the lean transport (compilePath)', () => {
  it('when a pattern has params, then they come back decoded and a trailing slash is allowed', () => {
    const match = compilePath('/api/reports/:id/photos/:photoId');
    expect(match('/api/reports/42/photos/7')).toEqual({ id: '42', photoId: '7' });
    expect(match('/api/reports/42/photos/7/')).toEqual({ id: '42', photoId: '7' });
    expect(match('/api/reports/a%20b/photos/7')).toEqual({ id: 'a b', photoId: '7' });
  });

  it('when the path has another shape or a bad escape, then it does not match', () => {
    const match = compilePath('/api/reports/:id');
    expect(match('/api/reports')).toBeNull();
    expect(match('/api/reports/1/2')).toBeNull();
    expect(match('/api/reportsx/1')).toBeNull();
    expect(match('/api/reports/%E0%A4%A')).toBeNull();
  });

  it('when a param has a literal suffix or the pattern ends in {*rest}, then both are matched like Express does', () => {
    expect(compilePath('/open311/v2/services/:code.json')('/open311/v2/services/voirie.json')).toEqual({ code: 'voirie' });
    expect(compilePath('/open311/v2/services/:code.json')('/open311/v2/services/voirie.xml')).toBeNull();
    const rest = compilePath('/api/tiles/{*tile}');
    expect(rest('/api/tiles/parcels/16/1/2.mvt')).toEqual({ tile: 'parcels/16/1/2.mvt' });
    expect(rest('/api/tiles/')).toEqual({ tile: '' });
    expect(rest('/api/tilesx/a')).toBeNull();
  });
});

describe('access of a declared route (allows)', () => {
  const user = (role: 'admin' | 'planner' | 'commune_user' | 'service_agent') => ({ id: 1, email: 'x@y', name: 'X', role, communeInsee: null, serviceCode: null, organisationCode: null }) as never;
  it('when the access lists roles or names a domain permission, then exactly those users pass', () => {
    expect(allows(['planner', 'admin'], user('planner'))).toBe(true);
    expect(allows(['planner', 'admin'], user('commune_user'))).toBe(false);
    expect(allows(canReport, user('service_agent'))).toBe(false);
    expect(allows(canReport, user('commune_user'))).toBe(true);
    expect(allows('signed-in', user('commune_user'))).toBe(true);
  });
});

describe('downloads (attachment)', () => {
  it('when the file name is plain ASCII, then it is quoted as is; otherwise an ASCII fallback and the UTF-8 name', () => {
    expect(attachment('bilan-2025-91027.pdf')).toBe('attachment; filename="bilan-2025-91027.pdf"');
    expect(attachment('été "2025".csv')).toBe('attachment; filename="?t? ?2025?.csv"; filename*=UTF-8\'\'%C3%A9t%C3%A9%20%222025%22.csv');
  });
});
