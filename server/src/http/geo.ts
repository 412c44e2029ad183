import { z } from 'zod';

/** [minLon, minLat, maxLon, maxLat] of metropolitan France and the overseas départements. */
const FRANCE_BOXES: readonly (readonly [number, number, number, number])[] = [
  [-5.5, 41, 10, 51.5], // métropole and Corse
  [-61.9, 15.8, -60.8, 16.6], // Guadeloupe
  [-61.3, 14.3, -60.7, 14.9], // Martinique
  [-54.7, 2.1, -51.5, 5.9], // Guyane
  [55.1, -21.5, 55.9, -20.8], // La Réunion
  [44.9, -13.1, 45.4, -12.5], // Mayotte
];

export const inFrance = (lon: number, lat: number) =>
  FRANCE_BOXES.some(([w, s, e, n]) => lon >= w && lon <= e && lat >= s && lat <= n);

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
  .superRefine((p, ctx) => {
    if (inFrance(p.lon, p.lat)) return;
    const message = inFrance(p.lat, p.lon)
      ? 'coordonnées inversées ? lon est la longitude (≈ 2.36), lat la latitude (≈ 48.70)'
      : 'point hors de France';
    ctx.addIssue({ code: 'custom', path: ['lon'], message });
  });
