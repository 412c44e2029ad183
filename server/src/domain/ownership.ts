import { OWNER_KIND_LABELS, type OwnerKind } from './owners.js';
import { OWNERSHIP_RIGHT, rightLabel } from './rights.js';

/** A right as read from the database (one row per owner and right code). */
export interface RightInput {
  ownerId: number;
  name: string;
  siren: string | null;
  kind: OwnerKind;
  organisationCode: string | null;
  organisationName: string | null;
  /** Position of the organisation in the configuration (lower first); null when not configured. */
  organisationOrder: number | null;
  rightCode: string;
}

export interface Owner {
  id: number | null;
  name: string;
  siren: string | null;
  kind: OwnerKind;
  kindLabel: string;
  organisation: { code: string; name: string } | null;
  /** Equal part of the parcel held by this owner (1 for a sole owner, 1/n for n joint owners). */
  share: number;
  /** First joint owner by the configuration's order: the lead for routing. */
  lead: boolean;
}

export interface Ownership {
  owners: Owner[];
  /** Rights other than ownership (building leases, usufruct…), shown but not used for routing. */
  otherRights: { name: string; siren: string | null; right: string; rightLabel: string }[];
  /** True when no legal entity holds a `P` right: the parcel belongs to natural persons. */
  privatePerson: boolean;
  joint: boolean;
}

export const PRIVATE_PERSON_NAME = 'Propriétaire(s) personne(s) physique(s)';

/**
 * Ownership of one parcel from its DGFiP rights: only `P` rights are ownership; several `P` are joint owners with
 * equal parts, the first by configuration order (then name) leading; no `P` at all → natural persons.
 * @example ownershipOf([]) // { owners: [private person], privatePerson: true, joint: false, otherRights: [] }
 */
export function ownershipOf(rights: readonly RightInput[]): Ownership {
  const byOwner = new Map<number, RightInput>();
  for (const r of rights) if (r.rightCode === OWNERSHIP_RIGHT && !byOwner.has(r.ownerId)) byOwner.set(r.ownerId, r);
  const proprietors = [...byOwner.values()].sort(
    (a, b) => (a.organisationOrder ?? Number.MAX_SAFE_INTEGER) - (b.organisationOrder ?? Number.MAX_SAFE_INTEGER) || a.name.localeCompare(b.name, 'fr'),
  );
  const otherRights = rights
    .filter((r) => r.rightCode !== OWNERSHIP_RIGHT)
    .map((r) => ({ name: r.name, siren: r.siren, right: r.rightCode, rightLabel: rightLabel(r.rightCode) }));
  if (proprietors.length === 0) {
    return {
      owners: [{ id: null, name: PRIVATE_PERSON_NAME, siren: null, kind: 'private_person', kindLabel: OWNER_KIND_LABELS.private_person, organisation: null, share: 1, lead: true }],
      otherRights,
      privatePerson: true,
      joint: false,
    };
  }
  const share = 1 / proprietors.length;
  return {
    owners: proprietors.map((p, i) => ({
      id: p.ownerId,
      name: p.name,
      siren: p.siren,
      kind: p.kind,
      kindLabel: OWNER_KIND_LABELS[p.kind],
      organisation: p.organisationCode ? { code: p.organisationCode, name: p.organisationName ?? p.organisationCode } : null,
      share,
      lead: i === 0,
    })),
    otherRights,
    privatePerson: false,
    joint: proprietors.length > 1,
  };
}
