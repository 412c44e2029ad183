import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO, pointIn } from '../support/geo.js';
import { api, login } from '../support/http.js';

let cookie: string;
beforeAll(async () => {
  cookie = await login('gup@demo.gup');
});

const lookupAt = async ([lon, lat]: [number, number], theme?: string) =>
  api(`/api/lookup?lon=${lon}&lat=${lat}${theme ? `&theme=${theme}` : ''}`, { cookie });

const byTheme = (body: any, code: string) => body.services.find((s: any) => s.theme.code === code);

describe('GET /api/lookup — who manages here', () => {
  it('when the spot is on landlord land in the Noyer Renard QPV, then the landlord manages the ownership themes and the reason names parcel and owner', async () => {
    const res = await lookupAt(await pointIn(DEMO.landlordEshInNoyerRenard));
    expect(res.status).toBe(200);
    expect(res.body.parcel.id).toBe(DEMO.landlordEshInNoyerRenard);
    expect(res.body.qpv).toEqual({ code: 'QP091028', name: 'Le Noyer Renard' });
    expect(res.body.commune).toMatchObject({ insee: '91027', name: 'Athis-Mons', sector: { code: 'portes-essonne' } });
    expect(res.body.commune.sector.delegate.email).toBe('delegue.portes-essonne@example.org');
    expect(res.body.owners).toHaveLength(1);
    expect(res.body.owners[0]).toMatchObject({ kind: 'landlord', organisation: { code: 'esh' } });
    const proprete = byTheme(res.body, 'proprete');
    expect(proprete).toMatchObject({ rule: 'ownership', unresolved: false, service: { code: 'esh-gestion' } });
    expect(proprete.reason).toContain('Parcelle AC 224');
    expect(proprete.reason).toContain('SA HLM Les Coteaux de l\'Orge');
    expect(proprete.service.email).toBe('gestion@esh.example.org');
  });

  it('when the theme is a competence theme, then its fixed service answers everywhere', async () => {
    for (const idu of [DEMO.landlordOph, DEMO.privateCompany]) {
      const res = await lookupAt(await pointIn(idu));
      expect(byTheme(res.body, 'dechets')).toMatchObject({ rule: 'competence', service: { code: 'ept-dechets' } });
    }
    const street = await lookupAt(DEMO.publicDomainNoyerRenard);
    expect(byTheme(street.body, 'dechets')).toMatchObject({ rule: 'competence', service: { code: 'ept-dechets' } });
  });

  it.each([
    ['agglomeration land', DEMO.agglomeration, 'ept-ctt', 'ept-ctt'],
    ['Athis-Mons land', DEMO.communeAthisInQpv, 'com-91027-proprete', 'com-91027-ev'],
    ['Juvisy land', DEMO.communeJuvisy, 'com-91326-st', 'com-91326-st'],
    ['OPH land', DEMO.landlordOph, 'oph-proximite', 'oph-proximite'],
  ])('when the spot is on %s, then the owner\'s manager entry gives the service per theme', async (_label, idu, propreteService, evService) => {
    const res = await lookupAt(await pointIn(idu));
    expect(res.status).toBe(200);
    expect(byTheme(res.body, 'proprete')).toMatchObject({ rule: 'ownership', service: { code: propreteService } });
    expect(byTheme(res.body, 'espaces_verts')).toMatchObject({ rule: 'ownership', service: { code: evService } });
  });

  it('when the parcel has joint owners, then the first by configuration order leads and the others are co-services', async () => {
    const res = await lookupAt(await pointIn(DEMO.jointEptAthis));
    expect(res.body.joint).toBe(true);
    expect(res.body.owners.map((o: any) => [o.organisation.code, o.share, o.lead])).toEqual([['ept', 0.5, true], ['com-91027', 0.5, false]]);
    const proprete = byTheme(res.body, 'proprete');
    expect(proprete).toMatchObject({ rule: 'joint', service: { code: 'ept-ctt' } });
    expect(proprete.coServices.map((s: any) => s.code)).toEqual(['com-91027-proprete']);
    expect(proprete.reason).toMatch(/indivision/);
  });

  it('when a building lease (right R) sits beside the ownership, then only the P owner routes and the lease is listed apart', async () => {
    const res = await lookupAt(await pointIn(DEMO.communeAthisInQpv));
    expect(res.body.owners.map((o: any) => o.organisation?.code)).toEqual(['com-91027']);
    expect(res.body.otherRights).toEqual([expect.objectContaining({ right: 'R', rightLabel: 'Preneur à construction', name: 'OPH ORGE SEINE HABITAT (FICTIF)' })]);
  });

  it.each([
    ['natural persons (absent from the owners file)', DEMO.naturalPersonInNoyerRenard, 'private_person'],
    ['a private company', DEMO.privateCompany, 'private_company'],
    ['a co-ownership', DEMO.coownership, 'coownership'],
  ])('when the land belongs to %s, then the commune\'s private-land service answers', async (_label, idu, kind) => {
    const res = await lookupAt(await pointIn(idu));
    expect(res.body.privateLand).toBe(true);
    expect(res.body.owners[0].kind).toBe(kind);
    const proprete = byTheme(res.body, 'proprete');
    expect(proprete).toMatchObject({ rule: 'private_land', service: { code: 'com-91027-hygiene' } });
    expect(proprete.reason).toContain('terrains privés');
  });

  it('when no parcel is under the point, then it is public domain of the commune and its service answers', async () => {
    const res = await lookupAt(DEMO.publicDomainNoyerRenard);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ parcel: null, publicDomain: true, owners: [], qpv: { code: 'QP091028' }, commune: { insee: '91027' } });
    const proprete = byTheme(res.body, 'proprete');
    expect(proprete).toMatchObject({ rule: 'public_domain', service: { code: 'com-91027-proprete' } });
    expect(proprete.reason).toMatch(/domaine public/);
    expect(proprete.reason).toContain('Ville d\'Athis-Mons');
  });

  it('when the owner has no configured service, then the triage service answers, flagged unresolved', async () => {
    const res = await lookupAt(await pointIn(DEMO.departement));
    expect(res.body.owners[0].kind).toBe('departement');
    const proprete = byTheme(res.body, 'proprete');
    expect(proprete).toMatchObject({ rule: 'triage', unresolved: true, service: { code: 'ept-gup' } });
    expect(proprete.reason).toContain('DEPARTEMENT DE L ESSONNE');
  });

  it('when a theme is given, then only that theme is answered; an unknown theme is a 400', async () => {
    const res = await lookupAt(await pointIn(DEMO.landlordOph), 'eclairage');
    expect(res.body.services.map((s: any) => s.theme.code)).toEqual(['eclairage']);
    const bad = await lookupAt(await pointIn(DEMO.landlordOph), 'nope');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('theme');
  });

  it('when the point is outside the territory, then 404 says so', async () => {
    const res = await lookupAt(DEMO.outsideTerritory);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('outside_territory');
    expect(res.body.error.message).toMatch(/hors du territoire/);
  });

  it.each([
    ['missing lat', 'lon=2.36'],
    ['not numbers', 'lon=abc&lat=def'],
    ['swapped coordinates', 'lon=48.70&lat=2.36'],
    ['outside France', 'lon=-74.0&lat=40.7'],
    ['out of range', 'lon=400&lat=48'],
    ['infinite', 'lon=Infinity&lat=48.7'],
  ])('when the coordinates are invalid (%s), then 400 names the field', async (_label, qs) => {
    const res = await api(`/api/lookup?${qs}`, { cookie });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
    expect(res.body.error.details.length).toBeGreaterThan(0);
    expect(['lon', 'lat']).toContain(res.body.error.details[0].field);
  });

  it('when the coordinates are swapped, then the message says so', async () => {
    const res = await api('/api/lookup?lon=48.70&lat=2.36', { cookie });
    expect(res.body.error.details[0].message).toMatch(/inversées/);
  });

  it('when a parameter is repeated, then 400 names it and the server stays up', async () => {
    const res = await api('/api/lookup?lon=2.36&lon=2.37&lat=48.70', { cookie });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe('lon');
    expect((await lookupAt(await pointIn(DEMO.landlordOph))).status).toBe(200);
  });
});

// GET /api/lookup is served by the lean path (server/src/http/lean.ts), outside Express: the same guarantees.
describe('GET /api/lookup — the lean path keeps the Express guarantees', () => {
  it('when there is no session or a forged one, then 401 with the JSON error body, and nothing is looked up', async () => {
    for (const c of [undefined, 'gup_session=forged-token', 'other=1; gup_session=']) {
      const res = await api('/api/lookup?lon=2.36&lat=48.70', { cookie: c });
      expect(res.status, String(c)).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.body).toEqual({ error: { code: 'unauthenticated', message: 'Connexion requise' } });
    }
  });

  it('when the session cookie comes among other cookies or the path has a trailing slash, then the lookup answers', async () => {
    const [lon, lat] = await pointIn(DEMO.landlordOph);
    const res = await api(`/api/lookup/?lon=${lon}&lat=${lat}`, { cookie: `theme=dark; ${cookie}; lang=fr` });
    expect(res.status).toBe(200);
    expect(res.body.parcel.id).toBe(DEMO.landlordOph);
  });

  it('when the method is not GET or the path only starts like it, then Express answers its 404', async () => {
    const post = await api('/api/lookup?lon=2.36&lat=48.70', { method: 'POST', cookie, body: {} });
    expect(post.status).toBe(404);
    expect(post.body.error.code).toBe('not_found');
    const other = await api('/api/lookupx?lon=2.36&lat=48.70', { cookie });
    expect(other.status).toBe(404);
  });
});
