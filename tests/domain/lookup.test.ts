import { describe, expect, it } from 'vitest';
import { resolveServices, type RoutingConfig, type SpotFacts } from '../../server/src/domain/lookup.js';
import { ownershipOf } from '../../server/src/domain/ownership.js';

const svc = (code: string, org: string) => ({ code, name: `Service ${code}`, email: `${code}@x.org`, phone: null, organisation: { code: org, name: `Org ${org}` } });
const cfg: RoutingConfig = {
  themes: [
    { code: 'proprete', name: 'Propreté', mode: 'ownership', serviceCode: null },
    { code: 'dechets', name: 'Déchets', mode: 'competence', serviceCode: 'agglo-dechets' },
  ],
  services: {
    'agglo-dechets': svc('agglo-dechets', 'agglo'), 'agglo-ctt': svc('agglo-ctt', 'agglo'), 'agglo-gup': svc('agglo-gup', 'agglo'),
    'c1-proprete': svc('c1-proprete', 'c1'), 'c1-prive': svc('c1-prive', 'c1'), 'hlm-prox': svc('hlm-prox', 'hlm'),
  },
  organisations: {
    agglo: { code: 'agglo', name: 'Agglo', kind: 'agglomeration', insee: null },
    c1: { code: 'c1', name: 'Ville 1', kind: 'commune', insee: '11111' },
    hlm: { code: 'hlm', name: 'HLM', kind: 'landlord', insee: null },
  },
  managers: { agglo: { '*': 'agglo-ctt' }, c1: { proprete: 'c1-proprete' }, hlm: { '*': 'hlm-prox' } },
  privateLand: { '11111': 'c1-prive' },
  triageServiceCode: 'agglo-gup',
  publicDomainOwner: 'commune',
};
const owner = (ownerId: number, org: string | null, kind: any, order: number | null) => ({
  ownerId, name: `Owner ${ownerId}`, siren: null, kind, organisationCode: org, organisationName: org ? `Org ${org}` : null, organisationOrder: order, rightCode: 'P',
});
const facts = (rights: ReturnType<typeof owner>[] | null, subSector: SpotFacts['subSector'] = null): SpotFacts => ({
  communeInsee: '11111', communeName: 'Ville 1',
  parcel: rights ? { id: '111110000A0001', section: '0A', number: '0001' } : null,
  ownership: rights ? ownershipOf(rights) : null,
  subSector,
});
const proprete = (f: SpotFacts, c = cfg) => resolveServices(f, c, 'proprete')[0]!;

describe('resolveServices (DESIGN 3.1)', () => {
  it('when the theme is a competence theme, then its fixed service answers whatever the land', () => {
    const [a] = resolveServices(facts([owner(1, 'hlm', 'landlord', 2)]), cfg, 'dechets');
    expect(a).toMatchObject({ rule: 'competence', service: { code: 'agglo-dechets' }, unresolved: false });
  });
  it('when a delegated sub-sector covers the point, then the delegate manages, before ownership', () => {
    const a = proprete(facts([owner(1, 'c1', 'commune', 1)], { id: 7, name: 'Résidence', outcome: 'delegated', delegateOrganisationCode: 'hlm', threshold: 0.6, delegateShare: 0.724 }));
    expect(a).toMatchObject({ rule: 'subsector', service: { code: 'hlm-prox' } });
    expect(a.reason).toContain('72,4 %');
    expect(a.reason).toContain('Résidence');
  });
  it('when the sub-sector is in shared management, then ownership decides', () => {
    const a = proprete(facts([owner(1, 'c1', 'commune', 1)], { id: 7, name: 'R', outcome: 'shared', delegateOrganisationCode: null, threshold: 0.6, delegateShare: null }));
    expect(a).toMatchObject({ rule: 'ownership', service: { code: 'c1-proprete' } });
  });
  it('when the owner has a manager entry for the theme, then it answers; "*" covers the rest', () => {
    expect(proprete(facts([owner(1, 'c1', 'commune', 1)]))).toMatchObject({ rule: 'ownership', service: { code: 'c1-proprete' } });
    expect(proprete(facts([owner(1, 'agglo', 'agglomeration', 0)]))).toMatchObject({ rule: 'ownership', service: { code: 'agglo-ctt' } });
  });
  it('when joint owners hold the parcel, then the lead answers and the others are co-services', () => {
    const a = proprete(facts([owner(1, 'hlm', 'landlord', 2), owner(2, 'agglo', 'agglomeration', 0)]));
    expect(a).toMatchObject({ rule: 'joint', service: { code: 'agglo-ctt' } });
    expect(a.coServices.map((s) => s.code)).toEqual(['hlm-prox']);
  });
  it('when the land is private, then the commune\'s private-land service answers', () => {
    expect(proprete(facts([]))).toMatchObject({ rule: 'private_land', service: { code: 'c1-prive' } });
    expect(proprete(facts([owner(1, null, 'coownership', null)]))).toMatchObject({ rule: 'private_land' });
  });
  it('when no parcel is there, then the public-domain owner (commune or agglomeration) answers', () => {
    expect(proprete(facts(null))).toMatchObject({ rule: 'public_domain', service: { code: 'c1-proprete' } });
    expect(proprete(facts(null), { ...cfg, publicDomainOwner: 'agglomeration' })).toMatchObject({ rule: 'public_domain', service: { code: 'agglo-ctt' } });
  });
  it('when nothing matches, then triage answers, unresolved', () => {
    const a = proprete(facts([owner(1, null, 'departement', null)]));
    expect(a).toMatchObject({ rule: 'triage', unresolved: true, service: { code: 'agglo-gup' } });
    const noPrivate = proprete(facts([]), { ...cfg, privateLand: {} });
    expect(noPrivate).toMatchObject({ rule: 'triage', unresolved: true });
  });
  it('when no theme is given, then every theme gets an answer', () => {
    expect(resolveServices(facts(null), cfg).map((a) => a.theme.code)).toEqual(['proprete', 'dechets']);
  });
});
