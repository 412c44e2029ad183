import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO, pointIn } from '../support/geo.js';
import { api, login } from '../support/http.js';

// DESIGN 3.7: "whom do I call?" — services and referents, searchable; for a point, the service the lookup names.

let athis: string;
let officer: string;
beforeAll(async () => {
  athis = await login('mairie.athis@demo.gup');
  officer = await login('gup@demo.gup');
});

describe('directory (DESIGN 3.7)', () => {
  it('when a commune user asks who to call at points of every kind of land, then each theme gives the very service the lookup names, with its referents', async () => {
    const points = [await pointIn(DEMO.landlordOph), await pointIn(DEMO.jointEptAthis), await pointIn(DEMO.naturalPersonInNoyerRenard), DEMO.publicDomainNoyerRenard, await pointIn(DEMO.departement)];
    for (const [lon, lat] of points) {
      const [dir, look] = await Promise.all([api(`/api/directory?lon=${lon}&lat=${lat}`, { cookie: athis }), api(`/api/lookup?lon=${lon}&lat=${lat}`, { cookie: athis })]);
      expect(dir.status, JSON.stringify(dir.body)).toBe(200);
      expect(dir.body.here.services.map((s: any) => [s.theme.code, s.entry.code, s.reason])).toEqual(look.body.services.map((s: any) => [s.theme.code, s.service.code, s.reason]));
      expect(dir.body.here.commune.insee).toBe(look.body.commune.insee);
    }
    const [lon, lat] = await pointIn(DEMO.landlordOph);
    const oph = (await api(`/api/directory?lon=${lon}&lat=${lat}&theme=proprete`, { cookie: athis })).body.here.services[0].entry;
    expect(oph).toMatchObject({ code: 'oph-proximite', referents: [{ name: 'Thomas Nguyen (FICTIF)', function: 'Responsable d\'agence' }], deputy: { name: 'Aline Robert (FICTIF)' }, verifiedAt: '2026-10-01' });
    expect(oph.hours).toMatch(/Lundi/);
    expect(oph.qpv).toEqual([{ code: 'QP091028', name: 'Le Noyer Renard' }]);
  });

  it('when someone searches by words in any order, by theme or by commune, then the matching entries come back', async () => {
    const byWords = await api(`/api/directory?q=${encodeURIComponent('proprete athis')}`, { cookie: athis });
    expect(byWords.body.entries.map((e: any) => e.code)).toContain('com-91027-proprete');
    const reversed = await api(`/api/directory?q=${encodeURIComponent('Athis propreté')}`, { cookie: athis });
    expect(reversed.body.entries.map((e: any) => e.code)).toEqual(byWords.body.entries.map((e: any) => e.code));
    const byReferent = await api(`/api/directory?q=${encodeURIComponent('moreau')}`, { cookie: athis });
    expect(byReferent.body.entries.map((e: any) => e.code)).toEqual(['com-91027-proprete']);
    const nothing = await api(`/api/directory?q=${encodeURIComponent('zzz introuvable')}`, { cookie: athis });
    expect(nothing.body.entries).toEqual([]);

    const juvisy = await api('/api/directory?commune=91326', { cookie: athis });
    const codes = juvisy.body.entries.map((e: any) => e.code);
    expect(codes).toContain('com-91326-st');
    expect(codes).not.toContain('com-91027-proprete');
    const dechets = await api('/api/directory?theme=dechets', { cookie: athis });
    expect(dechets.body.entries.map((e: any) => e.code)).toEqual(['ept-dechets']);
  });

  it('when the directory is read, then each sector\'s territorial delegate is given as the communes\' entry point', async () => {
    const res = await api('/api/directory?commune=91027', { cookie: athis });
    expect(res.body.delegates).toHaveLength(1);
    expect(res.body.delegates[0]).toMatchObject({ sector: { code: 'portes-essonne' }, email: 'delegue.portes-essonne@example.org' });
    expect(res.body.delegates[0].communes.map((c: any) => c.insee)).toContain('91027');
  });

  it('when entries were not verified for six months, then they are flagged (their reminders: directory-reminders.test.ts)', async () => {
    const res = await api('/api/directory', { cookie: officer });
    const byCode = new Map<string, any>(res.body.entries.map((e: any) => [e.code, e]));
    const cutoff = new Date();
    cutoff.setUTCMonth(cutoff.getUTCMonth() - 6);
    for (const e of byCode.values()) expect(e.stale, e.code).toBe(e.verifiedAt === null || e.verifiedAt < cutoff.toISOString().slice(0, 10));
    expect(byCode.get('ept-gup').stale).toBe(true); // never verified
  });

  it('when the query is malformed, then 400 naming the field', async () => {
    for (const [qs, field] of [['theme=nope', 'theme'], ['commune=99999', 'commune'], ['commune=abc', 'commune'], ['lon=2.36', 'lat'], ['lon=abc&lat=48.7', 'lon'], ['lon=2.36&lat=200', 'lat']] as const) {
      const res = await api(`/api/directory?${qs}`, { cookie: athis });
      expect(res.status, qs).toBe(400);
      expect(res.body.error.details.map((d: any) => d.field), qs).toContain(field);
    }
    expect((await api('/api/directory')).status).toBe(401);
  });
});
