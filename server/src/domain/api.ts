/**
 * The API's answers (DESIGN 4), declared once: the server builds them, the client reads them through
 * `@gup/server/domain` (`client/src/api/types.ts`). Types only — nothing here runs.
 */
import type { MultiPolygon, Polygon } from 'geojson';
import type { BroadcastAreaKind, BroadcastKind, BroadcastSeverity } from './broadcasts.js';
import type { ConventionFact, ConventionStatus } from './conventions.js';
import type { DirectoryPerson } from './directory.js';
import type { ServiceAnswer, ServiceInfo, ThemeInfo } from './lookup.js';
import type { Ownership } from './ownership.js';
import type { StatsDimension, StatsMeasures } from './stats.js';
import type { Role, TerritoryConfig } from './territory.js';

/** Roles are the configuration's (DESIGN 3.4); re-exported here for the client, which does not load the configuration schema. */
export type { Role };

/** [west, south, east, north] in WGS84 degrees. */
export type BBox = [number, number, number, number];

/** The signed-in user (`GET /api/auth/me`, the login's answer). */
export interface SessionUser {
  id: number;
  email: string;
  name: string;
  role: Role;
  communeInsee: string | null;
  serviceCode: string | null;
  organisationCode: string | null;
}

/** Kind of a configured organisation (the configuration's list). */
export type OrganisationKind = TerritoryConfig['organisations'][number]['kind'];

/** A person to call: a sector's territorial delegate. */
export interface Contact {
  name: string | null;
  email: string | null;
  phone: string | null;
}

/** `GET /api/territory`: what the client needs to draw the territory and fill its forms. */
export interface TerritoryAnswer {
  name: string;
  publicDomainOwner: 'commune' | 'agglomeration';
  delegationThreshold: number;
  /** Extent of the territory's communes; null before any commune outline is imported. */
  bbox: BBox | null;
  communes: { insee: string; name: string; inTerritory: boolean; sectorCode: string | null; bbox: BBox | null }[];
  organisations: { code: string; name: string; kind: OrganisationKind; insee: string | null }[];
  themes: Pick<ThemeInfo, 'code' | 'name' | 'mode'>[];
  categories: { code: string; name: string; theme: string }[];
  /** Criteria one of which an urgent report must cite. */
  urgencyCriteria: { code: string; name: string }[];
  /** Priority neighbourhoods, by name (list filters). */
  qpvs: { code: string; name: string }[];
  /** Managing services (targets of a transfer). */
  services: Pick<ServiceInfo, 'code' | 'name' | 'organisation'>[];
  /** Open reports of the same category within this radius and window are proposed as duplicates. */
  duplicates: { radiusMeters: number; windowDays: number };
  /** Raster basemap; null when none is configured (offline machines, tests). */
  basemap: { tiles: string[]; attribution: string; maxzoom: number } | null;
  attribution: string;
}

/** `GET /api/lookup`: who owns this spot and who manages it, theme by theme, with the reason (DESIGN 3.1). */
export interface LookupResult {
  point: { lon: number; lat: number };
  commune: { insee: string; name: string; sector: { code: string; name: string; delegate: Contact } | null };
  parcel: {
    id: string;
    label: string;
    prefix: string;
    section: string;
    number: string;
    officialAreaM2: number | null;
    areaM2: number;
    /** Other parcels under the point (cadastre slivers, nested parcels); the smallest one answers. */
    overlapping: string[];
  } | null;
  owners: Ownership['owners'];
  otherRights: Ownership['otherRights'];
  publicDomain: boolean;
  privateLand: boolean;
  /** Several legal entities hold the parcel together (indivision). */
  joint: boolean;
  qpv: { code: string; name: string } | null;
  subSector: {
    id: number;
    name: string;
    outcome: 'delegated' | 'shared';
    delegate: { code: string; name: string } | null;
    threshold: number;
    borderline: boolean;
    /** The delegate's share of the land, 0..1; null when shared. */
    delegateShare: number | null;
  } | null;
  services: ServiceAnswer[];
}

/** One answer of `GET /api/search?q=`. */
export interface SearchResult {
  type: 'parcel' | 'commune' | 'qpv';
  id: string;
  label: string;
  sublabel: string;
  bbox: BBox;
  /** A point inside the place (where the map puts its marker). */
  point: [number, number];
}

/** `GET /api/parcels/:id`: the parcel, its owners and other rights, its QPV and outline. */
export interface ParcelDetail extends Ownership {
  id: string;
  label: string;
  /** name null when the commune's outline was never imported. */
  commune: { insee: string; name: string | null };
  prefix: string;
  section: string;
  number: string;
  officialAreaM2: number | null;
  areaM2: number;
  sourceVintage: string | null;
  sourceUpdated: string | null;
  qpv: { code: string; name: string } | null;
  geometry: Polygon | MultiPolygon;
}

/** `GET /api/reports/counts`: the caller's reports matching the list's filters — in all, open, overdue, per status. */
export interface ReportCounts {
  total: number;
  open: number;
  overdue: number;
  byStatus: Record<import('./reports.js').ReportStatus, number>;
}

/** One row of `GET /api/stats`: a key of the dimension, its French label, its indicators. */
export interface StatsRowView extends StatsMeasures {
  key: string | null;
  label: string;
}

/** A closed statistics period (its figures frozen), with who closed it and when. */
export interface ClosedPeriod {
  id: number;
  label: string;
  from: string;
  to: string;
  closedAt: string;
  closedBy: { id: number; name: string };
}

/** `GET /api/stats`. */
export interface StatsAnswer {
  from: string;
  to: string;
  groupBy: StatsDimension;
  /** True when the figures are those frozen when the period was closed. */
  frozen: boolean;
  /** When the figures were evaluated: now, or when the period was closed. */
  asOf: string;
  period: ClosedPeriod | null;
  rows: StatsRowView[];
  totals: StatsMeasures;
  /** The live figures beside a frozen period's, when asked (`live=true`). */
  live?: { asOf: string; rows: StatsRowView[]; totals: StatsMeasures };
}

/** `GET /api/stats/hotspots`: 100 m Lambert-93 cells (polygons in WGS84) with their counts over the window. */
export interface HotspotsAnswer {
  type: 'FeatureCollection';
  features: { type: 'Feature'; id: string; properties: { cell: string; reports: number; open: number }; geometry: Polygon }[];
  from: string;
  to: string;
  minReports: number;
}

/** One service of the directory (`GET /api/directory`) with its referents and what it covers. */
export interface DirectoryEntry {
  code: string;
  name: string;
  organisation: { code: string; name: string };
  email: string | null;
  phone: string | null;
  referents: DirectoryPerson[];
  deputy: DirectoryPerson | null;
  hours: string | null;
  themes: { code: string; name: string }[];
  communes: { insee: string; name: string }[];
  qpv: { code: string; name: string }[];
  verifiedAt: string | null;
  /** Not verified for six months: to be checked by its organisation (which is reminded). */
  stale: boolean;
}

/** A sector's territorial delegate: the communes' entry point. */
export interface SectorDelegate {
  sector: { code: string; name: string };
  communes: { insee: string; name: string }[];
  name: string | null;
  email: string | null;
  phone: string | null;
}

/** `GET /api/directory?q=&theme=&commune=&lon=&lat=`. */
export interface DirectoryAnswer {
  entries: DirectoryEntry[];
  delegates: SectorDelegate[];
  /** "Qui appeler ici ?": for a point, the service the lookup names for each theme, with its reason. */
  here: {
    commune: LookupResult['commune'];
    qpv: LookupResult['qpv'];
    services: { theme: { code: string; name: string }; reason: string; entry: DirectoryEntry }[];
  } | null;
}

/** A broadcast as `GET/POST /api/broadcasts` answer it to a user: a commune user sees its own commune's line only. */
export interface BroadcastView {
  id: number;
  kind: BroadcastKind;
  kindLabel: string;
  severity: BroadcastSeverity;
  severityLabel: string;
  title: string;
  text: string;
  area: { kind: BroadcastAreaKind; codes: string[]; geometry: unknown | null };
  communes: { insee: string; name: string; acknowledged: { by: string; at: string } | null }[];
  validFrom: string;
  validTo: string;
  active: boolean;
  needsAcknowledgement: boolean;
  /** For a commune user: whether its commune has acknowledged (null when none is asked). */
  acknowledged: boolean | null;
  /** Communes concerned that have not acknowledged yet (always 0 when none is asked). */
  pendingAcknowledgements: number;
  createdBy: { name: string };
  createdAt: string;
}

/** `GET/PUT /api/subsectors/:id/convention`: the convention with its status today and where its document is. */
export interface ConventionView extends ConventionFact {
  parties: string[];
  updatedBy: number | null;
  updatedAt: string;
  /** The status today: a signed convention past its last day reads `expired`. */
  effectiveStatus: ConventionStatus;
  statusLabel: string;
  document: { name: string; size: number; uploadedAt: string; url: string } | null;
}
