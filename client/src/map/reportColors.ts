import type { ExpressionSpecification } from 'maplibre-gl';
import { REPORT_STATUSES } from '@gup/server/domain';
import { STATUS_COLORS } from '../colors/reports';

/** MapLibre expression colouring a report feature by its `status` attribute. */
export const statusColorExpression: ExpressionSpecification = [
  'match', ['get', 'status'],
  ...REPORT_STATUSES.flatMap((s) => [s, STATUS_COLORS[s]]),
  '#999999',
] as unknown as ExpressionSpecification;
