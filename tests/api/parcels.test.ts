import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../support/geo.js';
import { api, login } from '../support/http.js';

let cookie: string;
beforeAll(async () => {
  cookie = await login('gup@demo.gup');
});

describe('GET /api/parcels/:id', () => {
  it('when the parcel 910270000A0020 is asked, then it shows its official area, commune and owner from the owners file', async () => {
    const res = await api('/api/parcels/910270000A0020', { cookie });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: '910270000A0020', label: 'A 20', section: '0A', number: '0020', officialAreaM2: 328,
      commune: { insee: '91027', name: 'Athis-Mons' }, privatePerson: false, joint: false, qpv: null,
    });
    expect(res.body.owners).toEqual([expect.objectContaining({ name: 'SCI DU PLATEAU (FICTIF)', siren: '990000037', kind: 'private_company', share: 1, lead: true })]);
    expect(res.body.areaM2).toBeGreaterThan(300);
    expect(res.body.geometry.type).toBe('MultiPolygon');
  });

  it('when the parcel has two P rights, then both are joint owners with equal shares', async () => {
    const res = await api(`/api/parcels/${DEMO.jointEptAthis}`, { cookie });
    expect(res.body.joint).toBe(true);
    expect(res.body.owners.map((o: any) => [o.kind, o.share])).toEqual([['agglomeration', 0.5], ['commune', 0.5]]);
    expect(res.body.qpv).toEqual({ code: 'QP091028', name: 'Le Noyer Renard' });
  });

  it('when the parcel is absent from the owners file, then it belongs to natural persons', async () => {
    const res = await api(`/api/parcels/${DEMO.naturalPersonInNoyerRenard}`, { cookie });
    expect(res.body.privatePerson).toBe(true);
    expect(res.body.owners).toEqual([expect.objectContaining({ kind: 'private_person', id: null })]);
  });

  it('when the parcel does not exist, then 404; when the id is malformed, then 400', async () => {
    const missing = await api('/api/parcels/910270000Z9999', { cookie });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    const bad = await api('/api/parcels/12345', { cookie });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_input');
  });
});
