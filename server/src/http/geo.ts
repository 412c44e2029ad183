import { z } from 'zod';
import { inFrance } from '../domain/geometry.js';

/** A query-string coordinate: required, a finite number within ±max. */
const coordinate = (name: string, what: string, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v === '' ? undefined : v),
    z.number({ error: (iss) => (iss.input === undefined ? `${name} est obligatoire` : `${name} doit être un nombre (${what} WGS84)`) })
      .finite(`${name} doit être un nombre fini`).min(-max).max(max),
  );

/** `lon`/`lat` query parameters: finite WGS84 numbers in France; swapped coordinates are named as such. */
export const pointQuerySchema = z
  .object({
    lon: coordinate('lon', 'longitude', 180),
    lat: coordinate('lat', 'latitude', 90),
  })
  .superRefine(refineInFrance);

/** zod refinement: the point must be in France; swapped coordinates are named as such. */
export function refineInFrance(p: { lon: number; lat: number }, ctx: z.RefinementCtx): void {
  if (inFrance(p.lon, p.lat)) return;
  const message = inFrance(p.lat, p.lon)
    ? 'coordonnées inversées ? lon est la longitude (≈ 2.36), lat la latitude (≈ 48.70)'
    : 'point hors de France';
  ctx.addIssue({ code: 'custom', path: ['lon'], message });
}
