/**
 * Overlapping and nested parcels, for the GIS team's data-quality list (DESIGN 3.2: land covered by several parcels
 * is split between them, so who owns them decides the delegation). Pure code.
 */
import { actorOf, PRIVATE_ACTOR, type ParcelOwnerRef } from './delegation.js';

export type OverlapKind = 'identical' | 'nested' | 'overlap';
const KIND_ORDER: readonly OverlapKind[] = ['identical', 'nested', 'overlap'];

export interface OverlapGroup {
  /** The group's smallest IDU (stable key). */
  id: string;
  idus: string[];
  pairs: { a: string; b: string; kind: OverlapKind; m2: number }[];
  /** How its parcels meet, strongest first. */
  kinds: OverlapKind[];
  /** Sum of the pairs' shared areas (m²), to rank the groups. */
  pairsM2: number;
}

/**
 * Groups pairs of parcels sharing area into connected groups (union–find), largest shared area first.
 * @example groupOverlaps([{ a: 'A', b: 'B', kind: 'nested', m2: 20 }, { a: 'B', b: 'C', kind: 'overlap', m2: 1 }])[0].idus // ['A', 'B', 'C']
 */
export function groupOverlaps(pairs: readonly { a: string; b: string; kind: OverlapKind; m2: number }[]): OverlapGroup[] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root)! !== root) root = parent.get(root)!;
    let y = x;
    while (y !== root) {
      const next = parent.get(y)!;
      parent.set(y, root);
      y = next;
    }
    return root;
  };
  for (const { a, b } of pairs) {
    if (!parent.has(a)) parent.set(a, a);
    if (!parent.has(b)) parent.set(b, b);
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }
  const groups = new Map<string, OverlapGroup>();
  for (const idu of [...parent.keys()].sort()) {
    const root = find(idu);
    const g = groups.get(root) ?? { id: idu, idus: [], pairs: [], kinds: [], pairsM2: 0 };
    g.idus.push(idu);
    groups.set(root, g);
  }
  for (const p of pairs) {
    const g = groups.get(find(p.a))!;
    g.pairs.push({ ...p });
    g.pairsM2 += p.m2;
    if (!g.kinds.includes(p.kind)) g.kinds.push(p.kind);
  }
  for (const g of groups.values()) g.kinds.sort((x, y) => KIND_ORDER.indexOf(x) - KIND_ORDER.indexOf(y));
  return [...groups.values()].sort((x, y) => y.pairsM2 - x.pairsM2 || x.id.localeCompare(y.id));
}

/**
 * Whether the parcels of a group count for different actors of the 60 % rule (their `P` owners, as `actorOf` sees
 * them; no owner = private): then splitting their shared land changes who may be delegated.
 * @example ownersDiffer([[ept], [ept]]) // false
 */
export function ownersDiffer(ownersByParcel: readonly (readonly ParcelOwnerRef[])[]): boolean {
  const keys = new Set(ownersByParcel.map((owners) => (owners.length === 0 ? PRIVATE_ACTOR : owners.map((o) => actorOf(o).actor).sort().join('+'))));
  return keys.size > 1;
}
