import { describe, expect, it } from 'vitest';
import type { ParcelOwnerRef } from '../../server/src/domain/delegation.js';
import { groupOverlaps, ownersDiffer } from '../../server/src/domain/parcel-overlaps.js';

const org = (code: string, kind: ParcelOwnerRef['kind'] = 'commune'): ParcelOwnerRef => ({ organisationCode: code, ownerId: null, name: code, kind });

describe('groups of overlapping parcels', () => {
  it('when pairs chain (A–B, B–C) and another pair stands apart, then two groups, the larger shared area first, kinds strongest first', () => {
    const groups = groupOverlaps([
      { a: 'B', b: 'C', kind: 'overlap', m2: 1 },
      { a: 'X', b: 'Y', kind: 'identical', m2: 5 },
      { a: 'A', b: 'B', kind: 'nested', m2: 20 },
    ]);
    expect(groups.map((g) => [g.id, g.idus, g.kinds, g.pairsM2])).toEqual([
      ['A', ['A', 'B', 'C'], ['nested', 'overlap'], 21],
      ['X', ['X', 'Y'], ['identical'], 5],
    ]);
  });

  it('when the parcels of a group count for the same actors, then they are not flagged; different actors, or private against an organisation, are', () => {
    expect(ownersDiffer([[org('ept')], [org('ept')]])).toBe(false);
    expect(ownersDiffer([[org('ept'), org('com-91027')], [org('com-91027'), org('ept')]])).toBe(false);
    expect(ownersDiffer([[org('ept')], [org('com-91479')]])).toBe(true);
    expect(ownersDiffer([[org('ept')], []])).toBe(true);
    expect(ownersDiffer([[], [{ organisationCode: null, ownerId: 3, name: 'SCI', kind: 'private_company' }]])).toBe(false);
  });
});
