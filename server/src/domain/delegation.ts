/**
 * The 60 % delegation rule (DESIGN 3.2), once: from the land of each actor inside a perimeter to shares and an
 * outcome. The areas come from PostGIS on the server and from Turf in the browser; both feed this function.
 * Pure code, shared by the server and the client.
 */
import { PRIVATE_KINDS, type OwnerKind } from './owners.js';

/** An owner of a parcel, as far as the rule is concerned. */
export interface ParcelOwnerRef {
  /** Organisation code when configured; null otherwise. */
  organisationCode: string | null;
  organisationName?: string | null;
  organisationKind?: string | null;
  /** Owner id (stable across calls) when not configured, to keep unconfigured public bodies apart. */
  ownerId: number | null;
  name: string;
  kind: OwnerKind;
}

/** A parcel's land counted inside the perimeter, land shared with other parcels split between them. */
export interface ParcelLand {
  idu: string;
  /** Its land inside the perimeter in m²: area(parcel ∩ S), where land covered by n parcels counts 1/n (DESIGN 3.2). */
  effectiveM2: number;
  /** `P` owners (joint owners share equally); empty = natural persons. */
  owners: ParcelOwnerRef[];
}

/** The public domain's owner in one commune (DESIGN 3.1: the commune, or the agglomeration). */
export interface PublicDomainPart {
  m2: number;
  owner: { code: string; name: string; kind: string } | null;
}

export interface Share {
  /** Organisation code, `private`, `owner:<id>` for an unconfigured public owner, or `public_domain`. */
  actor: string;
  name: string;
  kind: string;
  areaM2: number;
  /** Of which public domain attributed to this actor. */
  publicDomainM2: number;
  share: number;
  /** Whether this actor may receive a delegation (a configured organisation that is not private). */
  delegable: boolean;
}

export interface DelegationResult {
  areaM2: number;
  shares: Share[];
  publicDomainM2: number;
  outcome: 'delegated' | 'shared';
  delegate: { code: string; name: string; share: number } | null;
  threshold: number;
  borderline: boolean;
  /** The top delegable actor's share, the one compared with the threshold. */
  topShare: number;
}

export const DEFAULT_THRESHOLD = 0.6;
/** |share − threshold| below this (0.5 percentage point) is borderline. */
export const BORDERLINE_BAND = 0.005;
const EPSILON = 1e-9;
export const PRIVATE_ACTOR = 'private';

/**
 * Splits the public domain of a perimeter between communes: each commune gets the part of the perimeter on its
 * side (area(S ∩ commune)) minus the land of its own parcels (a parcel's commune is in its IDU), scaled so that
 * the parts add up to the whole public domain (commune outlines are simplified, parcels are exact).
 */
export function splitPublicDomain(
  publicM2: number,
  communes: readonly { insee: string; m2: number; owner: PublicDomainPart['owner'] }[],
  parcels: readonly { idu: string; effectiveM2: number }[],
): PublicDomainPart[] {
  if (communes.length === 0) return [{ m2: publicM2, owner: null }];
  const landBy = new Map<string, number>();
  for (const p of parcels) landBy.set(p.idu.slice(0, 5), (landBy.get(p.idu.slice(0, 5)) ?? 0) + p.effectiveM2);
  const raw = communes.map((c) => Math.max(0, c.m2 - (landBy.get(c.insee) ?? 0)));
  const sum = raw.reduce((a, b) => a + b, 0);
  return communes.map((c, i) => ({
    m2: sum > 0 ? (publicM2 * raw[i]!) / sum : publicM2 / communes.length,
    owner: c.owner,
  }));
}

interface Actor { actor: string; name: string; kind: string; delegable: boolean }

/** The actor a parcel owner counts for: its organisation, `private`, or the unconfigured owner itself. */
export function actorOf(owner: ParcelOwnerRef): Actor {
  if (PRIVATE_KINDS.has(owner.kind)) return { actor: PRIVATE_ACTOR, name: 'Propriétaires privés', kind: 'private', delegable: false };
  if (owner.organisationCode) {
    return { actor: owner.organisationCode, name: owner.organisationName ?? owner.name, kind: owner.organisationKind ?? owner.kind, delegable: true };
  }
  return { actor: `owner:${owner.ownerId ?? owner.name}`, name: owner.name, kind: owner.kind, delegable: false };
}

/**
 * Shares and outcome of a perimeter.
 * - each parcel's effective land goes to its `P` owners in equal parts (none → private);
 * - the public domain goes to its owner per commune (unconfigured → a non-delegable `public_domain` actor);
 * - delegated to A iff share(A) > threshold strictly and A is a configured, non-private organisation;
 * - borderline when the top delegable share is within 0.5 point of the threshold.
 * @example delegationOutcome(1000, [{ idu: 'x', effectiveM2: 700, owners: [oph] }], [{ m2: 300, owner: commune }], 0.6).outcome // 'delegated'
 */
export function delegationOutcome(areaM2: number, parcels: readonly ParcelLand[], publicDomain: readonly PublicDomainPart[], threshold = DEFAULT_THRESHOLD): DelegationResult {
  const acc = new Map<string, Share>();
  const add = (a: Actor, m2: number, pd = 0) => {
    const s = acc.get(a.actor) ?? { ...a, areaM2: 0, publicDomainM2: 0, share: 0 };
    s.areaM2 += m2;
    s.publicDomainM2 += pd;
    acc.set(a.actor, s);
  };
  for (const p of parcels) {
    if (p.effectiveM2 <= 0) continue;
    if (p.owners.length === 0) {
      add({ actor: PRIVATE_ACTOR, name: 'Propriétaires privés', kind: 'private', delegable: false }, p.effectiveM2);
      continue;
    }
    const part = p.effectiveM2 / p.owners.length;
    for (const o of p.owners) add(actorOf(o), part);
  }
  let publicDomainM2 = 0;
  for (const pd of publicDomain) {
    if (pd.m2 <= 0) continue;
    publicDomainM2 += pd.m2;
    const actor: Actor = pd.owner
      ? { actor: pd.owner.code, name: pd.owner.name, kind: pd.owner.kind, delegable: true }
      : { actor: 'public_domain', name: 'Domaine public non attribué', kind: 'public_domain', delegable: false };
    add(actor, pd.m2, pd.m2);
  }
  const counted = [...acc.values()].reduce((sum, s) => sum + s.areaM2, 0);
  const whole = counted > 0 ? counted : areaM2;
  const shares = [...acc.values()]
    .map((s) => ({ ...s, share: whole > 0 ? s.areaM2 / whole : 0 }))
    .sort((a, b) => b.share - a.share || a.actor.localeCompare(b.actor));
  const top = shares.find((s) => s.delegable);
  const topShare = top?.share ?? 0;
  const delegated = !!top && top.share - threshold > EPSILON;
  return {
    areaM2,
    shares,
    publicDomainM2,
    outcome: delegated ? 'delegated' : 'shared',
    delegate: delegated && top ? { code: top.actor, name: top.name, share: top.share } : null,
    threshold,
    borderline: !!top && Math.abs(top.share - threshold) < BORDERLINE_BAND,
    topShare,
  };
}

/**
 * Shares and outcome from the land inside a perimeter, however it was measured (PostGIS on the server, the
 * browser's clipper for the live preview): the parcels' land never counts twice (1/n per spot), so public domain is
 * area(S) minus their sum — S minus the union of the parcels — split between the communes (`splitPublicDomain`).
 * @example delegationFromLand(1000, [{ idu: '91027000AB0001', effectiveM2: 700, owners: [oph] }], [{ insee: '91027', m2: 1000, owner: commune }]).outcome // 'delegated'
 */
export function delegationFromLand(
  areaM2: number,
  parcels: readonly ParcelLand[],
  communes: readonly { insee: string; m2: number; owner: PublicDomainPart['owner'] }[],
  threshold = DEFAULT_THRESHOLD,
): DelegationResult {
  const landM2 = parcels.reduce((sum, p) => sum + p.effectiveM2, 0);
  const publicM2 = Math.max(0, areaM2 - landM2);
  return delegationOutcome(areaM2, parcels, splitPublicDomain(publicM2, communes, parcels), threshold);
}
