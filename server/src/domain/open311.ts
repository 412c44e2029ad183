/**
 * Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2): how GUP's reports read in the standard's words.
 * Pure code. Answers carry no personal data: no creator, no e-mail, no follower, no photo. Anyone on the internet reads
 * the public view (no description, the position snapped to a 100 m cell, the public answer only); the software of a
 * commune, with its API key, reads its own commune's reports in full (description, exact position).
 */
import { CLOSED_STATUS_LIST, latestPublicAnswer, OPEN_STATUSES, type ReportStatus, type TimelineEventLike } from './reports.js';

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
  return s === 'open' ? [...OPEN_STATUSES] : [...CLOSED_STATUS_LIST];
}

/** Value of the `urgent` attribute meaning "not urgent"; the other values are the urgency criteria's codes. */
export const NOT_URGENT = 'non';

export interface ServiceRequestSource {
  reference: string;
  status: ReportStatus;
  /** Its status changes, oldest first (what the commune was told is derived from them). */
  transitions: TimelineEventLike[];
  communeInsee: string;
  serviceCode: string;
  alsoNotify: string[];
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

/** Side of the cells public positions are snapped to, in metres. */
export const PUBLIC_CELL_M = 100;
const METRES_PER_DEGREE = 111_320;

/**
 * A position as published to anyone: the centre of its cell of a ~100 m grid (rows of 100 m of latitude, each cut
 * in 100 m of longitude at the row's centre), so that a report cannot be traced to a door; the same point always
 * gives the same centre, at most ~71 m away.
 * @example publicPosition(2.36, 48.703) // [2.359576, 48.703288]: the centre of its cell
 */
export function publicPosition(lon: number, lat: number, cellM = PUBLIC_CELL_M): [number, number] {
  const latStep = cellM / METRES_PER_DEGREE;
  const centreLat = (Math.floor(lat / latStep) + 0.5) * latStep;
  const lonStep = cellM / (METRES_PER_DEGREE * Math.max(Math.cos((centreLat * Math.PI) / 180), 0.01));
  const centreLon = (Math.floor(lon / lonStep) + 0.5) * lonStep;
  const round = (v: number) => Math.round(v * 1e6) / 1e6;
  return [round(centreLon), round(centreLat)];
}

/**
 * One GeoReport v2 service request; nothing about who filed it. `full` (the reader's API key is bound to the report's
 * commune) gives the description and the exact position; otherwise the public view: no description, the position
 * snapped to its 100 m cell. `status_notes` is, for everyone, what the commune was told (the resolution answer or the
 * rejection reason, `latestPublicAnswer`), never an internal comment such as a transfer reason.
 */
export function toServiceRequest(r: ServiceRequestSource, full: boolean) {
  const iso = (d: string | Date) => new Date(d).toISOString();
  const [long, lat] = full ? [Number(r.lon), Number(r.lat)] : publicPosition(Number(r.lon), Number(r.lat));
  return {
    service_request_id: r.reference,
    status: open311Status(r.status),
    status_notes: latestPublicAnswer(r.transitions),
    service_name: r.categoryName,
    service_code: r.categoryCode,
    description: full ? r.description : null,
    agency_responsible: r.serviceName,
    service_notice: null,
    requested_datetime: iso(r.createdAt),
    updated_datetime: iso(r.updatedAt),
    expected_datetime: iso(r.resolveDueAt),
    address: r.communeName,
    address_id: null,
    zipcode: null,
    lat,
    long,
    media_url: null,
  };
}

export type ServiceRequest = ReturnType<typeof toServiceRequest>;
