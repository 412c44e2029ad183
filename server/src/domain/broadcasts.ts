/**
 * Information to the communes (DESIGN 3.7): the kinds and severities of a broadcast, and which ones ask each commune
 * concerned to acknowledge. Who sees and who issues them is decided in ./access.ts (`broadcastScope`,
 * `mayIssueBroadcast`). Pure code, shared by the server and the client.
 */

export const BROADCAST_KINDS = ['collection_disruption', 'works', 'weather_alert', 'facility_closure', 'illegal_encampment'] as const;
export type BroadcastKind = (typeof BROADCAST_KINDS)[number];

export const BROADCAST_KIND_LABELS: Record<BroadcastKind, string> = {
  collection_disruption: 'Perturbation de la collecte',
  works: 'Travaux',
  weather_alert: 'Alerte météo',
  facility_closure: 'Fermeture d\'équipement',
  illegal_encampment: 'Campement illicite',
};

export const BROADCAST_SEVERITIES = ['info', 'orange', 'red'] as const;
export type BroadcastSeverity = (typeof BROADCAST_SEVERITIES)[number];

export const BROADCAST_SEVERITY_LABELS: Record<BroadcastSeverity, string> = { info: 'Information', orange: 'Vigilance orange', red: 'Alerte rouge' };

/** How the area was given: communes (INSEE codes), priority neighbourhoods (QPV codes) or a drawn polygon. */
export const BROADCAST_AREA_KINDS = ['communes', 'qpv', 'polygon'] as const;
export type BroadcastAreaKind = (typeof BROADCAST_AREA_KINDS)[number];

/** Longest validity of one broadcast (a longer disruption is issued again, so that it is read again). */
export const BROADCAST_MAX_DAYS = 92;

/**
 * Whether each commune concerned must acknowledge: orange and red do, information does not.
 * @example needsAcknowledgement('orange') // true
 */
export function needsAcknowledgement(severity: BroadcastSeverity): boolean {
  return severity !== 'info';
}

/**
 * Whether a broadcast is shown as current at an instant (between its first and last instant of validity).
 * @example isActiveBroadcast({ validFrom: '2026-01-01T00:00:00Z', validTo: '2026-01-02T00:00:00Z' }, new Date('2026-01-01T12:00:00Z')) // true
 */
export function isActiveBroadcast(b: { validFrom: string | Date; validTo: string | Date }, at: Date): boolean {
  const t = at.getTime();
  return new Date(b.validFrom).getTime() <= t && t <= new Date(b.validTo).getTime();
}
