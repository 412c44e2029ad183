import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { LookupResult, ParcelDetail, Territory } from '../../client/src/api/types.js';
import type * as Server from '../../server/src/domain/api.js';
import { DEMO, pointIn } from '../support/geo.js';
import { api, login } from '../support/http.js';

// The client's API types are the server's (server/src/domain/api.ts), not hand-written copies that drift: the
// copy of LookupResult had lost `joint`, `parcel.overlapping` and `subSector.delegateShare`. The type checks below
// fail `npm run typecheck` when the two part; the key lists, typed by the client's types, are held against real answers.

/** Every key of T, once: `satisfies` refuses a missing or an unknown key. */
type KeySet<T> = Record<keyof T, true>;

const LOOKUP_KEYS = {
  point: true, commune: true, parcel: true, owners: true, otherRights: true, publicDomain: true, privateLand: true, joint: true,
  qpv: true, subSector: true, services: true,
} satisfies KeySet<LookupResult>;
const LOOKUP_PARCEL_KEYS = {
  id: true, label: true, prefix: true, section: true, number: true, officialAreaM2: true, areaM2: true, overlapping: true,
} satisfies KeySet<NonNullable<LookupResult['parcel']>>;
const TERRITORY_KEYS = {
  name: true, publicDomainOwner: true, delegationThreshold: true, bbox: true, communes: true, organisations: true, themes: true,
  categories: true, urgencyCriteria: true, qpvs: true, services: true, duplicates: true, basemap: true, attribution: true,
} satisfies KeySet<Territory>;

const sorted = (o: object) => Object.keys(o).sort();

let cookie: string;
beforeAll(async () => {
  cookie = await login('gup@demo.gup');
});

describe('the API answers as the client reads them', () => {
  it('when the client types an answer, then it is the type the server builds it with', () => {
    expectTypeOf<LookupResult>().toEqualTypeOf<Server.LookupResult>();
    expectTypeOf<Territory>().toEqualTypeOf<Server.TerritoryAnswer>();
    expectTypeOf<ParcelDetail>().toEqualTypeOf<Server.ParcelDetail>();
    expectTypeOf<NonNullable<LookupResult['subSector']>>().toHaveProperty('delegateShare').toEqualTypeOf<number | null>();
  });

  it('when an officer looks up jointly owned land, then the answer has exactly the keys of the client type, joint and overlapping parcels included', async () => {
    const [lon, lat] = await pointIn(DEMO.jointEptAthis);
    const res = await api(`/api/lookup?lon=${lon}&lat=${lat}`, { cookie });
    expect(res.status).toBe(200);
    expect(sorted(res.body)).toEqual(sorted(LOOKUP_KEYS));
    expect(sorted(res.body.parcel)).toEqual(sorted(LOOKUP_PARCEL_KEYS));
    expect(res.body.joint).toBe(true);
  });

  it('when the client loads the territory, then the answer has exactly the keys of the client type', async () => {
    const res = await api('/api/territory', { cookie });
    expect(res.status).toBe(200);
    expect(sorted(res.body)).toEqual(sorted(TERRITORY_KEYS));
  });
});
