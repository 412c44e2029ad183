import type { ExpressionSpecification } from 'maplibre-gl';
import { KIND_COLORS, OWNER_KINDS, type OrganisationColor } from '../colors/owners';

/** MapLibre expression colouring a parcel by its organisation (`org`), else by its owner kind (`kind`). */
export function ownerColorExpression(organisations: readonly OrganisationColor[]): ExpressionSpecification {
  const byKind: ExpressionSpecification = [
    'match', ['coalesce', ['get', 'kind'], ''],
    ...OWNER_KINDS.flatMap((kind) => [kind, KIND_COLORS[kind]]),
    KIND_COLORS.private_person,
  ] as unknown as ExpressionSpecification;
  if (organisations.length === 0) return byKind;
  return [
    'match', ['coalesce', ['get', 'org'], ''],
    ...organisations.flatMap((o) => [o.code, o.color]),
    byKind,
  ] as unknown as ExpressionSpecification;
}
