import type { MultiPolygon, Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { delegationOutcome, type ParcelOwnerRef } from '../../server/src/domain/delegation.js';
import { prepareLand, previewDelegation, type LandCommune, type LandFace, type LandParcel } from '../../server/src/domain/delegation-land.js';

// Hand-built land: vertical strips between the same two latitudes have exactly proportional areas on the sphere.
const LAT0 = 48.7;
const LAT1 = 48.701;
const LON0 = 2.36;
const UNIT = 0.00001; // one "unit" of width in degrees of longitude
const strip = (from: number, to: number, lat0 = LAT0, lat1 = LAT1): Polygon => ({
  type: 'Polygon',
  coordinates: [[[LON0 + from * UNIT, lat0], [LON0 + to * UNIT, lat0], [LON0 + to * UNIT, lat1], [LON0 + from * UNIT, lat1], [LON0 + from * UNIT, lat0]]],
});
const org = (code: string, kind: string): ParcelOwnerRef => ({ organisationCode: code, organisationName: code.toUpperCase(), organisationKind: kind, ownerId: null, name: code, kind: kind as ParcelOwnerRef['kind'] });
const OPH = org('oph', 'landlord');
const EPT = org('ept', 'agglomeration');
const VILLE = org('com-1', 'commune');
const SCI: ParcelOwnerRef = { organisationCode: null, ownerId: 9, name: 'SCI', kind: 'private_company' };
/** Parcels of commune "00001" unless the IDU says otherwise (the commune is the IDU's first five characters). */
const parcel = (idu: string, from: number, to: number, owners: ParcelOwnerRef[]): LandParcel => ({ idu: idu.length === 14 ? idu : `00001000${idu.padStart(6, '0')}`, geometry: strip(from, to), owners });
const commune = (insee: string, from: number, to: number, code = `com-${insee}`): LandCommune => ({
  insee, geometry: strip(from, to, LAT0 - 0.01, LAT1 + 0.01), publicDomainOwner: { code, name: `Ville ${insee}`, kind: 'commune' },
});
const ONE_COMMUNE = [commune('00001', -10000, 10000, 'com-1')];
const preview = (perimeter: Polygon | MultiPolygon, parcels: LandParcel[], communes = ONE_COMMUNE, faces: LandFace[] = [], threshold = 0.6) =>
  previewDelegation(perimeter, prepareLand(parcels, faces, communes), threshold);
const shareOf = (r: ReturnType<typeof preview>, actor: string) => r.shares.find((s) => s.actor === actor)?.share ?? 0;

describe('the 60 % rule on hand-built land', () => {
  it('when one actor holds exactly 60.0 %, then management is shared (the threshold is strict)', () => {
    const r = preview(strip(0, 1000), [parcel('a', 0, 600, [OPH]), parcel('b', 600, 1000, [EPT])]);
    expect(shareOf(r, 'oph')).toBeCloseTo(0.6, 9);
    expect(r).toMatchObject({ outcome: 'shared', delegate: null, threshold: 0.6, borderline: true });
  });

  it('when one actor holds 60.4 %, then it is delegated, flagged borderline', () => {
    const r = preview(strip(0, 1000), [parcel('a', 0, 604, [OPH]), parcel('b', 604, 1000, [EPT])]);
    expect(shareOf(r, 'oph')).toBeCloseTo(0.604, 9);
    expect(r.outcome).toBe('delegated');
    expect(r.delegate).toMatchObject({ code: 'oph' });
    expect(r.borderline).toBe(true);
  });

  it('when the landlord, the agglomeration and the commune share the land, then the one above 60 % gets it, whoever it is', () => {
    const land = (a: ParcelOwnerRef, b: ParcelOwnerRef, c: ParcelOwnerRef) => [parcel('a', 0, 700, [a]), parcel('b', 700, 850, [b]), parcel('c', 850, 1000, [c])];
    expect(preview(strip(0, 1000), land(OPH, EPT, VILLE)).delegate?.code).toBe('oph');
    expect(preview(strip(0, 1000), land(EPT, OPH, VILLE)).delegate?.code).toBe('ept');
    expect(preview(strip(0, 1000), land(VILLE, OPH, EPT)).delegate?.code).toBe('com-1');
    const r = preview(strip(0, 1000), land(OPH, EPT, VILLE));
    expect(r.borderline).toBe(false);
    expect(r.shares.reduce((s, x) => s + x.share, 0)).toBeCloseTo(1, 9);
  });

  it('when private owners hold more than 60 %, then nobody is delegated', () => {
    const r = preview(strip(0, 1000), [parcel('a', 0, 800, [SCI]), parcel('b', 800, 900, []), parcel('c', 900, 1000, [OPH])]);
    expect(shareOf(r, 'private')).toBeCloseTo(0.9, 9);
    expect(r.outcome).toBe('shared');
    expect(r.shares.find((s) => s.actor === 'private')?.delegable).toBe(false);
  });

  it('when part of the perimeter lies on no parcel, then that public domain counts for its owner, the commune', () => {
    const r = preview(strip(0, 1000), [parcel('a', 0, 500, [OPH])]);
    expect(r.publicDomainM2).toBeGreaterThan(0);
    expect(shareOf(r, 'com-1')).toBeCloseTo(0.5, 9);
    expect(r.shares.find((s) => s.actor === 'com-1')?.publicDomainM2).toBeCloseTo(r.publicDomainM2, 6);
    const delegatedByStreets = preview(strip(0, 1000), [parcel('a', 0, 300, [OPH])]);
    expect(delegatedByStreets.delegate?.code).toBe('com-1');
  });

  it('when two parcels of different owners overlap, then the overlap is split evenly and nothing is counted twice', () => {
    // a: 0–650 (OPH), b: 550–1000 (EPT): 100 units overlap → OPH 550 + 50, EPT 350 + 50 (faces of their partition)
    const [a, b] = ['0000100000000a', '0000100000000b'];
    const faces: LandFace[] = [{ idus: [a], geometry: strip(0, 550) }, { idus: [a, b], geometry: strip(550, 650) }, { idus: [b], geometry: strip(650, 1000) }];
    const r = preview(strip(0, 1000), [parcel('a', 0, 650, [OPH]), parcel('b', 550, 1000, [EPT])], ONE_COMMUNE, faces);
    expect(shareOf(r, 'oph')).toBeCloseTo(0.6, 6);
    expect(shareOf(r, 'ept')).toBeCloseTo(0.4, 6);
    expect(r.publicDomainM2).toBeCloseTo(0, 3);
  });

  it('when a parcel has joint owners, then each gets an equal part', () => {
    const r = preview(strip(0, 1000), [parcel('a', 0, 800, [OPH, EPT]), parcel('b', 800, 1000, [OPH])]);
    expect(shareOf(r, 'oph')).toBeCloseTo(0.6, 9);
    expect(shareOf(r, 'ept')).toBeCloseTo(0.4, 9);
    expect(r.outcome).toBe('shared');
  });

  it('when the perimeter is a MultiPolygon, then all its parts count', () => {
    const multi: MultiPolygon = { type: 'MultiPolygon', coordinates: [strip(0, 400).coordinates, strip(600, 1000).coordinates] };
    const r = preview(multi, [parcel('a', 0, 400, [OPH]), parcel('b', 400, 600, [EPT]), parcel('c', 600, 1000, [OPH])]);
    expect(shareOf(r, 'oph')).toBeCloseTo(1, 9);
    expect(r.shares.map((s) => s.actor)).toEqual(['oph']);
  });

  it('when the perimeter has a hole, then the land in the hole does not count', () => {
    const outer = strip(0, 1000).coordinates[0]!;
    const hole = strip(100, 500, LAT0 + 0.0001, LAT1 - 0.0001).coordinates[0]!.slice().reverse();
    const r = preview({ type: 'Polygon', coordinates: [outer, hole] }, [parcel('a', 0, 600, [OPH]), parcel('b', 600, 1000, [EPT])]);
    expect(shareOf(r, 'oph')).toBeLessThan(0.6);
    expect(shareOf(r, 'oph') + shareOf(r, 'ept')).toBeCloseTo(1, 6);
    expect(r.areaM2).toBeLessThan(preview(strip(0, 1000), []).areaM2);
  });

  it('when the perimeter crosses two communes, then each commune gets the public domain on its side', () => {
    const communes = [commune('00001', -10000, 500, 'com-1'), commune('00002', 500, 10000, 'com-2')];
    const r = preview(strip(0, 1000), [parcel('a', 0, 200, [OPH])], communes);
    expect(shareOf(r, 'com-1')).toBeCloseTo(0.3, 6); // 500 − 200 of public domain on commune 1's side, split in proportion
    expect(shareOf(r, 'com-2')).toBeCloseTo(0.5, 6);
    expect(shareOf(r, 'oph')).toBeCloseTo(0.2, 6);
  });

  it('when the areas are given directly, then the rule needs no geometry (the server path)', () => {
    const r = delegationOutcome(1000, [{ idu: 'a', effectiveM2: 700, owners: [OPH] }], [{ m2: 300, owner: { code: 'com-1', name: 'Ville', kind: 'commune' } }], 0.6);
    expect(r).toMatchObject({ outcome: 'delegated', delegate: { code: 'oph', share: 0.7 }, publicDomainM2: 300 });
    const higher = delegationOutcome(1000, [{ idu: 'a', effectiveM2: 700, owners: [OPH] }], [{ m2: 300, owner: null }], 0.75);
    expect(higher).toMatchObject({ outcome: 'shared', threshold: 0.75 });
  });
});
