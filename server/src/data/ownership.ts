/**
 * The lead owner of a parcel in SQL, by the rule of domain/ownership.ts (`ownershipOf`): only `P` rights are
 * ownership; the first owner by the organisation's configuration order (unconfigured last), then by name, leads; no
 * `P` right → natural persons (`private_person`, never named). One SQL form, used by the parcels tiles and the
 * OGC API `parcels` collection.
 */
import type { SqlPart } from './access.js';
import { OWNERSHIP_RIGHT } from '../domain/rights.js';

/** The kind of a parcel without any `P` right (natural persons). */
export const NATURAL_PERSONS_KIND = 'private_person';

/**
 * `LEFT JOIN LATERAL (…) lead ON true` on the parcels aliased `alias`: `lead.kind`, `lead.org` (organisation code),
 * `lead.org_name`, `lead.owners` (number of joint owners); all null for natural persons (see `leadKind`).
 */
export function leadOwnerJoin(alias: string): SqlPart {
  return {
    sql: `LEFT JOIN LATERAL (
             SELECT o.kind, o.organisation_code AS org, g.name AS org_name, (count(*) OVER ())::int AS owners
             FROM parcel_rights pr JOIN owners o ON o.id = pr.owner_id LEFT JOIN organisations g ON g.code = o.organisation_code
             WHERE pr.idu = ${alias}.idu AND pr.right_code = ?
             ORDER BY g.sort_order NULLS LAST, o.name
             LIMIT 1
           ) lead ON true`,
    bindings: [OWNERSHIP_RIGHT],
  };
}

/** The lead owner's kind after `leadOwnerJoin`, `private_person` when no legal entity owns the parcel. */
export const leadKind: SqlPart = { sql: 'coalesce(lead.kind, ?)', bindings: [NATURAL_PERSONS_KIND] };
