/** French number and date formats of the sub-sector panel. */
import type { DelegationResult, Share } from '@gup/server/domain';
import type { SubsectorProperties } from '../../api/subsectors';

const integer = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 });
const hectares = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const percent = new Intl.NumberFormat('fr-FR', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
const dateTime = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Paris' });
const ms = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 2 });

/** 12345.6 → "12 346" (m²). */
export const formatM2 = (m2: number): string => integer.format(Math.round(m2));
/** 12345.6 m² → "1,23" (ha). */
export const formatHa = (m2: number): string => hectares.format(m2 / 10_000);
/** 0.6234 → "62,3 %". */
export const formatShare = (ratio: number): string => percent.format(ratio);
/** ISO date → "21 novembre 2025 à 14:05" (Paris time). */
export const formatDateTime = (iso: string): string => dateTime.format(new Date(iso));
export const formatMs = (value: number): string => ms.format(value);

/** What the shares chart shows: the live preview's result, or a saved sub-sector's. */
export type DelegationSummary = Pick<DelegationResult, 'areaM2' | 'shares' | 'publicDomainM2' | 'outcome' | 'threshold' | 'borderline'> & {
  delegate: { code: string; name: string } | null;
};

/** The summary of a saved sub-sector (its stored shares; the whole is their sum). */
export function summaryOf(p: Pick<SubsectorProperties, 'shares' | 'outcome' | 'delegate' | 'threshold' | 'borderline'>): DelegationSummary {
  const shares: Share[] = Array.isArray(p.shares) ? p.shares : [];
  return {
    areaM2: shares.reduce((s, x) => s + x.areaM2, 0),
    shares,
    publicDomainM2: shares.reduce((s, x) => s + (x.publicDomainM2 ?? 0), 0),
    outcome: p.outcome,
    delegate: p.delegate,
    threshold: Number(p.threshold),
    borderline: p.borderline,
  };
}
