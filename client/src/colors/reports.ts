import type { ReportStatus } from '@gup/server/domain';

/**
 * Colour of a report by status, shared by the map layer, its legend and the list badges:
 * dark enough for white text (except in_progress and duplicate),
 * warm while waiting for the service, purple when re-routed, green once treated, greys when ended otherwise.
 */
export const STATUS_COLORS: Record<ReportStatus, string> = {
  submitted: '#c1121f',
  acknowledged: '#b45309',
  in_progress: '#e9c46a',
  transferred: '#7b2cbf',
  resolved: '#207567',
  closed: '#5c636a',
  rejected: '#343a40',
  duplicate: '#adb5bd',
};

/** Ring drawn around reports past their resolution deadline. */
export const OVERDUE_RING = '#111111';
