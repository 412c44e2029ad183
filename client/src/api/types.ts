/**
 * Shapes of the API answers the client uses (DESIGN 4): declared once by the server (`server/src/domain/api.ts`),
 * read here through the shared domain. Types only.
 */
import type {
  BroadcastView, ConventionView, DirectoryAnswer, DirectoryEntry,
  BBox, Contact, LookupResult, OrganisationKind, ParcelDetail, Role, RoutingRule, SearchResult, ServiceAnswer, ServiceInfo,
  SessionUser, TerritoryAnswer,
} from '@gup/server/domain';

export type { BroadcastView, ConventionView, DirectoryAnswer, DirectoryEntry };
export type { BBox, Contact, LookupResult, OrganisationKind, ParcelDetail, Role, RoutingRule, SearchResult };

export type User = SessionUser;
export type Territory = TerritoryAnswer;
/** A managing service with its organisation. */
export type ServiceRef = ServiceInfo;
/** The managing service of one theme at a spot, with the rule applied and its reason. */
export type LookupService = ServiceAnswer;
export type LookupOwner = LookupResult['owners'][number];
