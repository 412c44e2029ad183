/** Colours of land owners, shared by the parcels layer and the legend (no map code here). */
import type { OwnerKind } from '@gup/server/domain';
import type { OrganisationKind } from '../api/types';

/** Owner kinds carried by the parcels tiles' `kind` attribute, in legend order (the type comes from the shared domain). */
export const OWNER_KINDS: readonly OwnerKind[] = [
  'agglomeration', 'commune', 'landlord', 'state', 'region', 'departement',
  'public_establishment', 'private_company', 'coownership', 'private_person',
];

/** Opacity of the parcels' fill; the legend uses it too so swatches match the map. */
export const PARCEL_FILL_OPACITY = 0.6;

/** Generic colour of each kind, used for owners that are not a configured organisation. */
export const KIND_COLORS: Record<OwnerKind, string> = {
  agglomeration: '#6a3d9a',
  commune: '#9ecae1',
  landlord: '#b35806',
  state: '#1b7837',
  region: '#5aae61',
  departement: '#8fc98a',
  public_establishment: '#01665e',
  private_company: '#8c8c8c',
  coownership: '#b3a68c',
  private_person: '#e4e4e4',
};

/** Each commune its own shade of blue, each landlord its own warm colour (cycled past the list). */
const COMMUNE_SHADES = ['#08519c', '#3182bd', '#6baed6', '#2b8cbe', '#0868ac', '#4eb3d3', '#1c6ea4', '#74a9cf'];
const LANDLORD_COLORS = ['#e6550d', '#d62728', '#e7a10d', '#a6501b', '#e377c2', '#a50f15', '#f16913', '#c51b8a'];
const OTHER_ORG_COLORS = ['#8073ac', '#542788', '#b2abd2'];

export interface OrganisationColor {
  code: string;
  name: string;
  kind: OrganisationKind;
  color: string;
}

/**
 * A colour per configured organisation: the agglomeration and State-like bodies keep their kind's
 * colour, communes get blues and landlords warm colours, in configuration order.
 * @example organisationColors([{ code: 'oph', name: 'OPH', kind: 'landlord' }]) // [{ …, color: '#e6550d' }]
 */
export function organisationColors(organisations: readonly { code: string; name: string; kind: OrganisationKind }[]): OrganisationColor[] {
  const counters = { commune: 0, landlord: 0, other: 0 };
  return organisations.map((org) => {
    let color: string;
    if (org.kind === 'commune') color = COMMUNE_SHADES[counters.commune++ % COMMUNE_SHADES.length]!;
    else if (org.kind === 'landlord') color = LANDLORD_COLORS[counters.landlord++ % LANDLORD_COLORS.length]!;
    else if (org.kind === 'other') color = OTHER_ORG_COLORS[counters.other++ % OTHER_ORG_COLORS.length]!;
    else color = KIND_COLORS[org.kind];
    return { ...org, color };
  });
}
