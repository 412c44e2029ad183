import { claimReminders, serviceAgentsOf } from '../data/directory.js';
import type { Database } from '../data/db.js';
import { queueMail } from '../data/reports.js';
import type { TerritoryInfo } from '../data/territory.js';
import {
  DIRECTORY_STALE_MONTHS, isStaleEntry, matchesWords, NO_DIRECTORY_FIELDS, reminderPeriod, serviceCommunes, serviceThemes,
} from '../domain/directory.js';
import type { DirectoryAnswer, DirectoryEntry } from '../domain/api.js';
import { AppError } from '../http/errors.js';
import { lookup } from './lookup.js';
import { requireTerritory } from './territory.js';

export interface DirectoryQuery {
  q?: string | undefined;
  theme?: string | undefined;
  commune?: string | undefined;
  point?: { lon: number; lat: number } | undefined;
}

/** Every service of the configuration as a directory entry. */
export function directoryEntries(t: TerritoryInfo, now: Date): DirectoryEntry[] {
  const territory = t.communes.filter((c) => c.inTerritory).map((c) => c.insee);
  const communeNames = new Map(t.communes.map((c) => [c.insee, c.name]));
  const themeNames = new Map(t.routing.themes.map((th) => [th.code, th.name]));
  const qpvNames = new Map(t.qpvs.map((q) => [q.code, q.name]));
  return Object.values(t.routing.services).map((s) => {
    const d = t.serviceDirectory.get(s.code) ?? NO_DIRECTORY_FIELDS;
    return {
      code: s.code,
      name: s.name,
      organisation: s.organisation,
      email: s.email,
      phone: s.phone,
      referents: d.referents,
      deputy: d.deputy,
      hours: d.hours,
      themes: serviceThemes(t.routing, s.code).map((code) => ({ code, name: themeNames.get(code) ?? code })),
      communes: serviceCommunes(t.routing, s.code, d.communes, territory).map((insee) => ({ insee, name: communeNames.get(insee) ?? insee })),
      qpv: (d.qpv ?? []).map((code) => ({ code, name: qpvNames.get(code) ?? code })),
      verifiedAt: d.verifiedAt,
      stale: isStaleEntry(d.verifiedAt, now),
    };
  }).sort((a, b) => a.organisation.name.localeCompare(b.organisation.name, 'fr') || a.name.localeCompare(b.name, 'fr'));
}

const searchText = (e: DirectoryEntry) => [
  e.name, e.organisation.name, e.hours ?? '', ...e.referents.flatMap((r) => [r.name, r.function ?? '']), e.deputy?.name ?? '',
  ...e.themes.map((t) => t.name), ...e.communes.map((c) => c.name), ...e.qpv.map((q) => q.name),
].join(' ');

/**
 * The directory: entries matching every word typed (any order, accents ignored), a theme and a commune; the sectors'
 * delegates; and, for a point, the services the lookup names there (the same rule, DESIGN 3.1). Entries not verified for
 * six months are flagged; reading sends nothing (the reminders go from the mailer's loop: remindStaleDirectoryEntries).
 */
export async function directory(db: Database, query: DirectoryQuery): Promise<DirectoryAnswer> {
  const t = await requireTerritory(db);
  if (query.theme && !t.routing.themes.some((th) => th.code === query.theme)) {
    throw new AppError(400, 'invalid_input', `Thème inconnu « ${query.theme} »`, [{ field: 'theme', message: 'thème inconnu' }]);
  }
  if (query.commune && !t.communes.some((c) => c.insee === query.commune && c.inTerritory)) {
    throw new AppError(400, 'invalid_input', `Commune hors du territoire « ${query.commune} »`, [{ field: 'commune', message: 'commune hors du territoire' }]);
  }
  const now = new Date();
  const all = directoryEntries(t, now);
  const entries = all.filter((e) => (!query.q || matchesWords(searchText(e), query.q))
    && (!query.theme || e.themes.some((th) => th.code === query.theme))
    && (!query.commune || e.communes.some((c) => c.insee === query.commune)));
  const communeNames = new Map(t.communes.map((c) => [c.insee, c.name]));
  const delegates = Object.values(t.sectors).map((s) => ({
    sector: { code: s.code, name: s.name },
    communes: t.communes.filter((c) => c.inTerritory && c.sectorCode === s.code).map((c) => ({ insee: c.insee, name: communeNames.get(c.insee) ?? c.insee })),
    ...s.delegate,
  })).filter((d) => !query.commune || d.communes.some((c) => c.insee === query.commune));
  let here: DirectoryAnswer['here'] = null;
  if (query.point) {
    const spot = await lookup(db, query.point.lon, query.point.lat, query.theme);
    const byCode = new Map(all.map((e) => [e.code, e]));
    here = {
      commune: spot.commune,
      qpv: spot.qpv,
      services: spot.services.map((a) => ({ theme: { code: a.theme.code, name: a.theme.name }, reason: a.reason, entry: byCode.get(a.service.code)! })),
    };
  }
  return { entries, delegates, here };
}

/**
 * Reminds the services whose directory entry is stale, once per service and half-year: an e-mail to the service's
 * address and its agents, through the outbox. A background job of the mailer's loop (server/src/main.ts), never a side
 * effect of reading the directory; idempotent per period (`directory_reminders`), however often it runs and in however
 * many processes. Returns how many services were reminded this time.
 */
export async function remindStaleDirectoryEntries(db: Database, now: Date = new Date()): Promise<number> {
  return remindStaleEntries(db, directoryEntries(await requireTerritory(db), now), now);
}

async function remindStaleEntries(db: Database, entries: DirectoryEntry[], now: Date): Promise<number> {
  const stale = entries.filter((e) => e.stale);
  if (!stale.length) return 0;
  return db.knex.transaction(async (trx) => {
    const claimed = new Set(await claimReminders(trx, reminderPeriod(now), stale.map((e) => e.code)));
    if (!claimed.size) return 0;
    const agents = await serviceAgentsOf(trx, [...claimed]);
    for (const e of stale.filter((s) => claimed.has(s.code))) {
      const to = [...new Set([e.email, ...agents.filter((a) => a.serviceCode === e.code).map((a) => a.email)].filter((x): x is string => !!x))];
      for (const address of to) {
        await queueMail(trx, {
          to: address,
          reportId: null,
          subject: `[GUP] Annuaire : fiche « ${e.name} » à vérifier`,
          body: `La fiche de « ${e.name} » (${e.organisation.name}) dans l'annuaire GUP ${e.verifiedAt ? `a été vérifiée pour la dernière fois le ${e.verifiedAt.split('-').reverse().join('/')}` : 'n\'a jamais été vérifiée'} (plus de ${DIRECTORY_STALE_MONTHS} mois).\nMerci de contrôler les référents, le suppléant, les horaires et les coordonnées, et de transmettre les corrections à l'administrateur GUP.`,
        });
      }
    }
    return claimed.size;
  });
}
