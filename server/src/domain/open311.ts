/**
 * Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2): how GUP's reports read in the standard's words.
 * Pure code. Public answers carry no personal data: no creator, no e-mail, no follower.
 */
import { OPEN_STATUSES, type ReportStatus } from './reports.js';

export type Open311Status = 'open' | 'closed';

/**
 * The standard's two statuses: open while the service still has work to do, closed otherwise.
 * @example open311Status('transferred') // 'open'
 */
export function open311Status(status: ReportStatus): Open311Status {
  return OPEN_STATUSES.has(status) ? 'open' : 'closed';
}

/** Our statuses behind each Open311 status (for filtering in SQL). */
export function statusesFor(s: Open311Status): ReportStatus[] {
  return s === 'open' ? [...OPEN_STATUSES] : (['resolved', 'closed', 'rejected', 'duplicate'] as ReportStatus[]);
}

/** Value of the `urgent` attribute meaning "not urgent"; the other values are the urgency criteria's codes. */
export const NOT_URGENT = 'non';

export interface ServiceRequestSource {
  reference: string;
  status: ReportStatus;
  statusNotes: string | null;
  categoryCode: string;
  categoryName: string;
  description: string;
  serviceName: string;
  communeName: string;
  createdAt: string | Date;
  updatedAt: string | Date;
  resolveDueAt: string | Date;
  lon: number;
  lat: number;
}

/** One GeoReport v2 service request (the public view: nothing about who filed it). */
export function toServiceRequest(r: ServiceRequestSource) {
  const iso = (d: string | Date) => new Date(d).toISOString();
  return {
    service_request_id: r.reference,
    status: open311Status(r.status),
    status_notes: r.statusNotes,
    service_name: r.categoryName,
    service_code: r.categoryCode,
    description: r.description,
    agency_responsible: r.serviceName,
    service_notice: null,
    requested_datetime: iso(r.createdAt),
    updated_datetime: iso(r.updatedAt),
    expected_datetime: iso(r.resolveDueAt),
    address: r.communeName,
    address_id: null,
    zipcode: null,
    lat: Number(r.lat),
    long: Number(r.lon),
    media_url: null,
  };
}

export type ServiceRequest = ReturnType<typeof toServiceRequest>;
