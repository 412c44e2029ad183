/** Shapes of the API answers the client uses (DESIGN 4). Plain data, no behaviour. */
import type { MultiPolygon, Polygon } from 'geojson';

export type Role = 'admin' | 'planner' | 'gup_officer' | 'commune_user' | 'service_agent';

/** [west, south, east, north] in WGS84 degrees. */
export type BBox = [number, number, number, number];

export interface User {
  id: number | string;
  email: string;
  name: string;
  role: Role;
  communeInsee: string | null;
  serviceCode: string | null;
  organisationCode: string | null;
}

export type OrganisationKind =
  | 'agglomeration' | 'commune' | 'landlord' | 'state' | 'region' | 'departement' | 'public_establishment' | 'other';

export interface Territory {
  name: string;
  publicDomainOwner: 'commune' | 'agglomeration';
  delegationThreshold: number;
  bbox: BBox;
  communes: { insee: string; name: string; inTerritory: boolean; bbox: BBox }[];
  organisations: { code: string; name: string; kind: OrganisationKind }[];
  themes: { code: string; name: string; mode: 'ownership' | 'competence' }[];
  categories: { code: string; name: string; theme: string }[];
  /** Criteria one of which an urgent report must cite. */
  urgencyCriteria: { code: string; name: string }[];
  /** Managing services (targets of a transfer). */
  services: { code: string; name: string; organisation: { code: string; name: string } }[];
  /** Priority neighbourhoods, by name (list filters). */
  qpvs: { code: string; name: string }[];
  /** Open reports of the same category within this radius and window are proposed as duplicates. */
  duplicates: { radiusMeters: number; windowDays: number };
  /** Raster basemap; null when none is configured (offline machines, tests). */
  basemap: { tiles: string[]; attribution: string; maxzoom: number } | null;
  attribution: string;
}

export interface Contact {
  name: string;
  email?: string | null;
  phone?: string | null;
}

export interface ServiceRef {
  code: string;
  name: string;
  email?: string | null;
  phone?: string | null;
  organisation: { code: string; name: string };
}

export type RoutingRule = 'competence' | 'subsector' | 'ownership' | 'joint' | 'private_land' | 'public_domain' | 'triage';

export interface LookupService {
  theme: { code: string; name: string; mode: 'ownership' | 'competence' };
  service: ServiceRef;
  coServices: ServiceRef[];
  rule: RoutingRule;
  unresolved: boolean;
  /** Plain French sentence explaining the routing. */
  reason: string;
}

export interface LookupOwner {
  /** null for natural persons (never named). */
  id: number | string | null;
  name: string;
  siren: string | null;
  kind: string;
  kindLabel: string;
  organisation: { code: string; name: string } | null;
  /** Share of the ownership, 0..1 (joint owners hold equal parts). */
  share: number;
  lead: boolean;
}

export interface LookupResult {
  point: { lon: number; lat: number };
  commune: {
    insee: string;
    name: string;
    sector: { code: string; name: string; delegate: Contact | null } | null;
  };
  parcel: {
    id: string;
    label: string;
    prefix: string;
    section: string;
    number: string;
    officialAreaM2: number | null;
    areaM2: number;
  } | null;
  owners: LookupOwner[];
  otherRights: { name: string; siren: string | null; right: string; rightLabel: string }[];
  publicDomain: boolean;
  privateLand: boolean;
  qpv: { code: string; name: string } | null;
  subSector: {
    id: number | string;
    name: string;
    outcome: 'delegated' | 'shared';
    delegate: { code: string; name: string } | null;
    threshold: number;
    borderline: boolean;
  } | null;
  services: LookupService[];
}

export interface SearchResult {
  type: 'parcel' | 'commune' | 'qpv';
  id: string;
  label: string;
  sublabel: string;
  bbox: BBox;
  point: [number, number];
}

export interface ParcelDetail {
  id: string;
  label: string;
  commune: { insee: string; name: string };
  geometry: Polygon | MultiPolygon;
}
