import { describe, expect, it } from 'vitest';
import { de, le } from '../../server/src/domain/french.js';
import { parcelLabel, sectionLabel } from '../../server/src/domain/idu.js';
import { resolveServices, type RoutingConfig } from '../../server/src/domain/lookup.js';
import { ownershipOf } from '../../server/src/domain/ownership.js';

describe('French elision (issue 14, "Signalements de Athis-Mons", "propriété de OPH")', () => {
  it('when a name starts with a vowel or a mute h, then "de"/"le" elide; otherwise not', () => {
    expect(de('Athis-Mons')).toBe("d'Athis-Mons");
    expect(de('Juvisy-sur-Orge')).toBe('de Juvisy-sur-Orge');
    expect(de('Évry-Courcouronnes')).toBe("d'Évry-Courcouronnes");
    expect(de('OPH Orge Seine Habitat')).toBe("d'OPH Orge Seine Habitat");
    expect(de('SA HLM Les Coteaux')).toBe('de SA HLM Les Coteaux');
    expect(de('Habitat 91')).toBe("d'Habitat 91"); // mute h
    expect(de('Paray-Vieille-Poste')).toBe('de Paray-Vieille-Poste');
    expect(de('Hautmont')).toBe('de Hautmont'); // aspirated h
    expect(de('Houilles')).toBe('de Houilles');
    expect(de('Héricourt')).toBe("d'Héricourt");
    expect(de('Morangis')).toBe('de Morangis');
    expect(de('Mairie')).toBe('de Mairie'); // an ordinary word, not an acronym
    expect(le('Espace vert')).toBe("l'Espace vert");
  });

  it('when the owner\'s name starts with a vowel, then the lookup\'s reason elides', () => {
    const cfg: RoutingConfig = {
      themes: [{ code: 'proprete', name: 'Propreté', mode: 'ownership', serviceCode: null }],
      services: { s: { code: 's', name: 'Agence', email: null, phone: null, organisation: { code: 'oph', name: 'OPH' } } },
      organisations: { oph: { code: 'oph', name: 'OPH', kind: 'landlord', insee: null } },
      managers: { oph: { '*': 's' } }, privateLand: {}, triageServiceCode: 's', publicDomainOwner: 'commune',
    };
    const ownership = ownershipOf([{ ownerId: 1, name: 'OPH', siren: null, kind: 'landlord', organisationCode: 'oph', organisationName: 'OPH', organisationOrder: 1, rightCode: 'P' }]);
    const [a] = resolveServices({ communeInsee: '91027', communeName: 'Athis-Mons', parcel: { id: '910270000E0363', section: '0E', number: '0363' }, ownership, subSector: null }, cfg, 'proprete');
    expect(a!.reason).toBe("Parcelle E 363 propriété d'OPH → Agence");
  });
});

describe('cadastral section as written (issue 14: "0A" shown for A)', () => {
  it('when a section is padded with a zero, then it is shown without it', () => {
    expect(sectionLabel('0A')).toBe('A');
    expect(sectionLabel('AC')).toBe('AC');
    expect(parcelLabel('0E', '0363')).toBe('E 363');
  });
});
