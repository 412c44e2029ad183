import type { Database } from '../data/db.js';
import { spotAt } from '../data/lookup.js';
import type { LookupResult } from '../domain/api.js';
import { requireTerritory } from './territory.js';
import { parcelLabel } from '../domain/idu.js';
import { resolveServices } from '../domain/lookup.js';
import { PRIVATE_KINDS } from '../domain/owners.js';
import { ownershipOf } from '../domain/ownership.js';
import { AppError } from '../http/errors.js';

/**
 * "Who manages here?": locate the point (parcel, owners, commune, QPV, sub-sector) → check it is in the territory →
 * apply the rule of DESIGN 3.1 for every theme (or one), with the sub-sector's convention (3.8) from the territory snapshot.
 */
export async function lookup(db: Database, lon: number, lat: number, themeCode?: string): Promise<LookupResult> {
  const cfg = await requireTerritory(db);
  if (themeCode && !cfg.routing.themes.some((t) => t.code === themeCode)) {
    throw new AppError(400, 'invalid_input', `Thème inconnu « ${themeCode} »`, [{ field: 'theme', message: `thèmes : ${cfg.routing.themes.map((t) => t.code).join(', ')}` }]);
  }
  const spot = await spotAt(db, lon, lat);
  if (!spot.commune || !spot.commune.in_territory) {
    throw new AppError(404, 'outside_territory', `Ce point (${lon.toFixed(5)}, ${lat.toFixed(5)}) est hors du territoire ${cfg.name}`, { commune: spot.commune?.name ?? null });
  }
  const ownership = spot.parcel ? ownershipOf(spot.rights ?? []) : null;
  const sub = spot.subsector;
  const delegateShare = sub?.delegate_organisation_code && Array.isArray(sub.shares)
    ? ((sub.shares as { actor?: string; share?: number }[]).find((s) => s.actor === sub.delegate_organisation_code)?.share ?? null)
    : null;
  const services = resolveServices(
    {
      communeInsee: spot.commune.insee,
      communeName: spot.commune.name,
      parcel: spot.parcel ? { id: spot.parcel.idu, section: spot.parcel.section, number: spot.parcel.number } : null,
      ownership,
      subSector: sub ? { id: sub.id, name: sub.name, outcome: sub.outcome, delegateOrganisationCode: sub.delegate_organisation_code, threshold: sub.threshold, delegateShare } : null,
      convention: sub ? cfg.conventions.get(sub.id) ?? null : null,
    },
    cfg.routing,
    themeCode,
  );
  const sector = spot.commune.sector_code ? cfg.sectors[spot.commune.sector_code] ?? null : null;
  const delegateOrg = sub?.delegate_organisation_code ? cfg.routing.organisations[sub.delegate_organisation_code] : undefined;
  return {
    point: { lon, lat },
    commune: { insee: spot.commune.insee, name: spot.commune.name, sector },
    parcel: spot.parcel
      ? {
          id: spot.parcel.idu,
          label: parcelLabel(spot.parcel.section, spot.parcel.number),
          prefix: spot.parcel.prefix,
          section: spot.parcel.section,
          number: spot.parcel.number,
          officialAreaM2: spot.parcel.official_area_m2,
          areaM2: Math.round(spot.parcel.area_m2),
          overlapping: spot.parcel.overlapping ?? [],
        }
      : null,
    owners: ownership?.owners ?? [],
    otherRights: ownership?.otherRights ?? [],
    publicDomain: !spot.parcel,
    privateLand: !!ownership && PRIVATE_KINDS.has(ownership.owners[0]!.kind),
    joint: ownership?.joint ?? false,
    qpv: spot.qpv,
    subSector: sub
      ? { id: sub.id, name: sub.name, outcome: sub.outcome, delegate: delegateOrg ? { code: delegateOrg.code, name: delegateOrg.name } : null, threshold: sub.threshold, borderline: sub.borderline, delegateShare }
      : null,
    services,
  };
}
