import { z } from 'zod';
import { findParcel, qpvOfParcel, rightsOf } from '../data/parcels.js';
import type { ParcelDetail } from '../domain/api.js';
import { IDU_PATTERN, parcelLabel } from '../domain/idu.js';
import { ownershipOf } from '../domain/ownership.js';
import type { AppContext } from '../http/context.js';
import { notFound } from '../http/errors.js';
import { route } from '../http/route.js';

const idSchema = z.string().trim().toUpperCase().regex(IDU_PATTERN, 'identifiant de parcelle (IDU) à 14 caractères attendu, ex. 910270000A0020');

/** `GET /api/parcels/:id`: a parcel, its owners and other rights, its QPV — every signed-in role. */
export function parcelsRoutes(ctx: AppContext) {
  const { knex } = ctx.db;
  return [route({
    method: 'GET', path: '/api/parcels/:id', access: 'signed-in', params: z.object({ id: idSchema }),
    handle: async ({ params: { id: idu } }) => {
      const parcel = await findParcel(knex, idu);
      if (!parcel) throw notFound(`Parcelle ${idu}`);
      const [rights, qpv] = await Promise.all([rightsOf(knex, [idu]), qpvOfParcel(knex, idu)]);
      const ownership = ownershipOf(rights.map((r) => ({ ...r, ownerId: r.id })));
      const answer: ParcelDetail = {
        id: parcel.idu,
        label: parcelLabel(parcel.section, parcel.number),
        commune: { insee: parcel.communeInsee, name: parcel.communeName },
        prefix: parcel.prefix,
        section: parcel.section,
        number: parcel.number,
        officialAreaM2: parcel.officialAreaM2,
        areaM2: Math.round(parcel.areaM2),
        sourceVintage: parcel.sourceVintage,
        sourceUpdated: parcel.sourceUpdated,
        ...ownership,
        qpv,
        geometry: parcel.geometry,
      };
      return answer;
    },
  })];
}
