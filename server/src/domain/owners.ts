/**
 * Owner resolution (DESIGN 2): a legal-entity owner is matched by SIREN against the configured
 * organisations first, otherwise classified by its DGFiP "groupe personne" code.
 * Pure code, shared by the server and the client.
 */

/** Resolved kind of an owner; `private_person` is every parcel absent from the DGFiP file. */
export type OwnerKind =
  | 'agglomeration'
  | 'commune'
  | 'landlord'
  | 'state'
  | 'region'
  | 'departement'
  | 'public_establishment'
  | 'private_company'
  | 'coownership'
  | 'private_person';

/** Kinds that are private land: never delegates, routed to the commune's private-land service. */
export const PRIVATE_KINDS: ReadonlySet<OwnerKind> = new Set(['private_company', 'coownership', 'private_person']);

export const OWNER_KIND_LABELS: Record<OwnerKind, string> = {
  agglomeration: 'Agglomération',
  commune: 'Commune',
  landlord: 'Bailleur social',
  state: 'État',
  region: 'Région',
  departement: 'Département',
  public_establishment: 'Établissement public',
  private_company: 'Personne morale privée',
  coownership: 'Copropriété',
  private_person: 'Personne physique (privé)',
};

/**
 * Kind from the DGFiP "groupe personne" code.
 * @example kindFromGroup('5') // 'landlord'
 */
export function kindFromGroup(groupCode: string | null | undefined): OwnerKind {
  switch ((groupCode ?? '').trim()) {
    case '1': return 'state';
    case '2': return 'region';
    case '3': return 'departement';
    case '4': return 'commune';
    case '5': return 'landlord';
    case '9': return 'public_establishment';
    case '7': return 'coownership';
    default: return 'private_company'; // 0, 6, 8 and unknown codes
  }
}

export interface OrganisationRef {
  code: string;
  kind: string;
  siren?: string | null | undefined;
}

export interface ResolvedOwner {
  kind: OwnerKind;
  organisationCode: string | null;
}

const ORG_KIND_TO_OWNER_KIND: Record<string, OwnerKind> = {
  agglomeration: 'agglomeration',
  commune: 'commune',
  landlord: 'landlord',
  state: 'state',
  region: 'region',
  departement: 'departement',
  public_establishment: 'public_establishment',
};

/**
 * Resolves an owner: configured organisation by SIREN first, else the groupe personne code.
 * @example resolveOwner({ siren: '200058014', groupCode: '9' }, orgs) // { kind: 'agglomeration', organisationCode: 'ept' }
 */
export function resolveOwner(
  owner: { siren?: string | null | undefined; groupCode?: string | null | undefined },
  organisations: readonly OrganisationRef[],
): ResolvedOwner {
  const siren = owner.siren?.trim();
  if (siren) {
    const org = organisations.find((o) => o.siren === siren);
    if (org) return { kind: ORG_KIND_TO_OWNER_KIND[org.kind] ?? kindFromGroup(owner.groupCode), organisationCode: org.code };
  }
  return { kind: kindFromGroup(owner.groupCode), organisationCode: null };
}
