import { describe, expect, it } from 'vitest';
import { buildIdu, inseeFromDgfip, parcelLabel, parseIdu } from '../../server/src/domain/idu.js';
import { kindFromGroup, resolveOwner } from '../../server/src/domain/owners.js';
import { ownershipOf, type RightInput } from '../../server/src/domain/ownership.js';

const orgs = [
  { code: 'ept', kind: 'agglomeration', siren: '200058014' },
  { code: 'com-91027', kind: 'commune', siren: '219100278' },
  { code: 'oph', kind: 'landlord', siren: '990000011' },
];

describe('owner resolution', () => {
  it('when the SIREN is a configured organisation, then it wins over the groupe personne', () => {
    expect(resolveOwner({ siren: '200058014', groupCode: '9' }, orgs)).toEqual({ kind: 'agglomeration', organisationCode: 'ept' });
  });
  it.each([
    ['1', 'state'], ['2', 'region'], ['3', 'departement'], ['4', 'commune'], ['5', 'landlord'], ['9', 'public_establishment'],
    ['0', 'private_company'], ['6', 'private_company'], ['7', 'coownership'], ['8', 'private_company'], ['', 'private_company'],
  ])('when the SIREN is unknown and the group is %s, then the kind is %s', (group, kind) => {
    expect(resolveOwner({ siren: '123456789', groupCode: group }, orgs)).toEqual({ kind, organisationCode: null });
    expect(kindFromGroup(group)).toBe(kind);
  });
});

describe('IDU', () => {
  it('when parts are unpadded, then they are padded as the DGFiP does', () => {
    expect(buildIdu('91027', '', 'A', '20')).toBe('910270000A0020');
    expect(buildIdu('91027', '12', 'ab', '7')).toBe('91027012AB0007');
    expect(inseeFromDgfip('91', '27')).toBe('91027');
    expect(inseeFromDgfip('2A', '004')).toBe('2A004');
    expect(inseeFromDgfip('971', '01')).toBe('97101');
  });
  it('when an IDU is parsed, then its parts and label come out; garbage gives null', () => {
    expect(parseIdu('91027000ac0208')).toEqual({ insee: '91027', prefix: '000', section: 'AC', number: '0208' });
    expect(parseIdu('91027')).toBeNull();
    expect(parcelLabel('0A', '0020')).toBe('A 20');
  });
});

const right = (ownerId: number, name: string, rightCode: string, order: number | null, kind: RightInput['kind'] = 'commune'): RightInput => ({
  ownerId, name, siren: null, kind, organisationCode: order === null ? null : `org${ownerId}`, organisationName: name, organisationOrder: order, rightCode,
});

describe('ownership of a parcel', () => {
  it('when no P right exists, then natural persons own it', () => {
    const o = ownershipOf([right(1, 'OPH', 'R', 5, 'landlord')]);
    expect(o.privatePerson).toBe(true);
    expect(o.owners[0]).toMatchObject({ kind: 'private_person', share: 1 });
    expect(o.otherRights).toEqual([expect.objectContaining({ right: 'R', rightLabel: 'Preneur à construction' })]);
  });
  it('when several P rights exist, then they are joint owners with equal parts, the first by configuration order leading', () => {
    const o = ownershipOf([right(1, 'Zeta', 'P', null, 'private_company'), right(2, 'Commune', 'P', 1), right(3, 'EPT', 'P', 0, 'agglomeration')]);
    expect(o.joint).toBe(true);
    expect(o.owners.map((x) => [x.name, x.lead])).toEqual([['EPT', true], ['Commune', false], ['Zeta', false]]);
    expect(o.owners.every((x) => Math.abs(x.share - 1 / 3) < 1e-12)).toBe(true);
  });
  it('when one owner holds the same P right twice, then it counts once', () => {
    expect(ownershipOf([right(1, 'A', 'P', 0), right(1, 'A', 'P', 0)]).owners).toHaveLength(1);
  });
});
