import { z } from 'zod';
import { communesByName, parcelsById, parcelsByReference, plainText, qpvByCodeOrName, type SearchResult } from '../data/search.js';
import { IDU_PATTERN } from '../domain/idu.js';
import type { AppContext } from '../http/context.js';
import { route } from '../http/route.js';

const querySchema = z.object({ q: z.string().trim().min(2, 'au moins 2 caractères').max(100) });
/** A section (1–2 letters, "0A" too) and a plan number, as a whole word anywhere in the query: "AC 208", "ac208". */
const REFERENCE = /(?:^|\s)0?([a-z]{1,2})\s*(\d{1,4})(?=\s|$)/i;

/**
 * A parcel reference in a query, words in any order: "AC 208 athis" and "Athis AC 208" both give section AC, number
 * 208 and the commune text "athis" (what is left), or null.
 */
function parcelReference(q: string): { section: string; number: string; commune: string | null } | null {
  const m = REFERENCE.exec(q);
  if (!m) return null;
  const rest = `${q.slice(0, m.index)} ${q.slice(m.index + m[0].length)}`.trim().replace(/\s+/g, ' ');
  return { section: m[1]!.toUpperCase().padStart(2, '0'), number: m[2]!.padStart(4, '0'), commune: rest ? plainText(rest) : null };
}
const LIMIT = 10;

/** `GET /api/search?q=`: parcels (IDU or reference), QPV, communes — every signed-in role. */
export function searchRoutes(ctx: AppContext) {
  const { knex } = ctx.db;
  return [route({
    method: 'GET', path: '/api/search', access: 'signed-in', query: querySchema, invalid: 'Recherche invalide',
    handle: async ({ query: { q } }) => {
      const upper = q.toUpperCase().replace(/\s+/g, '');
      let results: SearchResult[];
      if (IDU_PATTERN.test(upper)) {
        results = await parcelsById(knex, upper);
      } else {
        const ref = parcelReference(q);
        const text = plainText(q);
        const [parcels, communes, qpv] = await Promise.all([
          ref ? parcelsByReference(knex, ref.section, ref.number, ref.commune, LIMIT) : [],
          communesByName(knex, text, LIMIT),
          qpvByCodeOrName(knex, text, LIMIT),
        ]);
        results = [...parcels, ...qpv, ...communes].slice(0, LIMIT);
      }
      return { results };
    },
  })];
}
