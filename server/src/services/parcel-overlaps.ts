import type { Knex } from 'knex';
import { overlapPairsAfter, sharedAreas, type OverlapPair } from '../data/parcel-overlaps.js';
import { groupOverlaps, ownersDiffer } from '../domain/parcel-overlaps.js';
import { ownersOf } from './subsectors.js';

/** Parcels per statement: each slice runs well under a second on the embedded database. */
const SLICE = 600;

/**
 * The data-quality list of a commune: groups of parcels sharing area (nested, identical, overlapping), with their
 * owners, flagged where the owners differ (the 60 % rule splits their shared land), largest shared area first; one
 * page, as GeoJSON features whose geometry is the land covered more than once.
 * Steps: pairs slice by slice → groups → this page's shared areas and owners.
 */
export async function overlapReport(knex: Knex, commune: string, page: number, limit: number) {
  const pairs: OverlapPair[] = [];
  for (let after: string | null = ''; after !== null;) {
    const slice: { pairs: OverlapPair[]; last: string | null } = await overlapPairsAfter(knex, commune, after, SLICE);
    pairs.push(...slice.pairs);
    after = slice.last;
  }
  const unique = new Map(pairs.map((p) => [`${p.a}|${p.b}`, p]));
  const groups = groupOverlaps([...unique.values()]);
  const shown = groups.slice((page - 1) * limit, page * limit);
  const [areas, owners] = await Promise.all([sharedAreas(knex, shown), ownersOf(knex, shown.flatMap((g) => g.idus))]);
  return {
    type: 'FeatureCollection' as const,
    commune,
    total: groups.length,
    page,
    limit,
    features: shown.map((g) => ({
      type: 'Feature' as const,
      id: g.id,
      geometry: areas.get(g.id)?.geometry ?? null,
      properties: {
        id: g.id,
        kinds: g.kinds,
        sharedM2: areas.get(g.id)?.m2 ?? g.pairsM2,
        ownersDiffer: ownersDiffer(g.idus.map((idu) => owners.get(idu) ?? [])),
        parcels: g.idus.map((idu) => ({
          idu,
          owners: (owners.get(idu) ?? []).map((o) => ({ name: o.name, kind: o.kind, organisationCode: o.organisationCode })),
        })),
      },
    })),
  };
}
