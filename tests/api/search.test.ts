import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../support/geo.js';
import { api, login } from '../support/http.js';

let cookie: string;
beforeAll(async () => {
  cookie = await login('mairie.athis@demo.gup');
});
const search = (q: string) => api(`/api/search?q=${encodeURIComponent(q)}`, { cookie });

describe('GET /api/search', () => {
  it('when the query is a parcel id, then that parcel is found with its bbox and a point inside it', async () => {
    const res = await search(DEMO.jointEptAthis.toLowerCase());
    expect(res.status).toBe(200);
    expect(res.body.results).toHaveLength(1);
    const [r] = res.body.results;
    expect(r).toMatchObject({ type: 'parcel', id: DEMO.jointEptAthis, label: 'AC 208' });
    expect(r.bbox[0]).toBeLessThanOrEqual(r.point[0]);
    expect(r.bbox[2]).toBeGreaterThanOrEqual(r.point[0]);
  });

  it('when the query is "section number" with a commune name, then the parcel of that commune comes out', async () => {
    const res = await search('AC 208 athis');
    expect(res.body.results.map((r: any) => r.id)).toEqual([DEMO.jointEptAthis]);
    const all = await search('ac208');
    expect(all.body.results.map((r: any) => r.id)).toContain(DEMO.jointEptAthis);
  });

  it('when the commune is typed before the parcel reference ("Athis AC 208"), then the same parcel comes out (word order does not matter)', async () => {
    for (const q of ['Athis AC 208', 'athis ac208', 'Athis-Mons AC 208']) {
      const res = await search(q);
      expect(res.body.results.map((r: any) => r.id), q).toEqual([DEMO.jointEptAthis]);
    }
  });

  it('when the query is a commune name without accents, then the commune is found', async () => {
    const res = await search('paray vieille');
    expect(res.body.results[0]).toMatchObject({ type: 'commune', id: '91479', label: 'Paray-Vieille-Poste' });
  });

  it('when the query is a QPV code or name, then the QPV is found', async () => {
    expect((await search('QP091028')).body.results[0]).toMatchObject({ type: 'qpv', id: 'QP091028', label: 'Le Noyer Renard' });
    expect((await search('noyer')).body.results[0]).toMatchObject({ type: 'qpv', id: 'QP091028' });
  });

  it('when nothing matches, then the list is empty; a too short query is a 400', async () => {
    expect((await search('zzzzzz')).body.results).toEqual([]);
    const short = await search('a');
    expect(short.status).toBe(400);
    expect(short.body.error.details[0].field).toBe('q');
  });

  it('when the query carries SQL, then it is only text', async () => {
    const res = await search("athis'; DROP TABLE parcels; --");
    expect(res.status).toBe(200);
    expect((await search(DEMO.privateCompany)).body.results).toHaveLength(1);
  });
});
