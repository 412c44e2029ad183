import { Router } from 'express';
import { z } from 'zod';
import { findParcel, qpvOfParcel, rightsOf } from '../data/parcels.js';
import type { ParcelDetail } from '../domain/api.js';
import { IDU_PATTERN, parcelLabel } from '../domain/idu.js';
import { ownershipOf } from '../domain/ownership.js';
import type { AppContext } from '../http/context.js';
import { notFound } from '../http/errors.js';

const idSchema = z.string().trim().toUpperCase().regex(IDU_PATTERN, 'identifiant de parcelle (IDU) à 14 caractères attendu, ex. 910270000A0020');

export function parcelsRouter(ctx: AppContext): Router {
  const router = Router();
  const { knex } = ctx.db;

  router.get('/:id', async (req, res) => {
    const idu = idSchema.parse(req.params.id);
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
    res.json(answer);
  });

  return router;
}
