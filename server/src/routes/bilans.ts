import { z } from 'zod';
import { toCsv, type CsvColumn } from '../http/csv.js';
import type { AppContext } from '../http/context.js';
import { AppError, validationError } from '../http/errors.js';
import { rawRoute, route } from '../http/route.js';
import { bilanPdf } from '../services/bilan-pdf.js';
import { BILAN_LABELS, bilanCsvRows, bilanFor, bilanYear, validateBilanText, writeBilanText } from '../services/bilans.js';
import { bilanHtml } from './bilans-html.js';

const insee = z.string().regex(/^[0-9][0-9AB][0-9]{3}$/, 'code INSEE');
const textSchema = z.object({ text: z.string().trim().min(1, 'texte obligatoire') }).strict();
const inseeParam = (v: string) => {
  const p = insee.safeParse(v);
  if (!p.success) throw new AppError(400, 'invalid_input', 'Code INSEE invalide', [{ field: 'insee', message: 'code INSEE' }]);
  return p.data;
};

const querySchema = z.object({ commune: z.string().regex(/^[0-9][0-9AB][0-9]{3}$/, 'code INSEE').optional() }).strict();

type CsvRow = ReturnType<typeof bilanCsvRows>[number];
const rate = (r: number | null) => (r === null ? null : Math.round(r * 1000) / 10);
const CSV_COLUMNS: CsvColumn<CsvRow>[] = [
  ['section', (r) => r.section], ['cle', (r) => r.key], ['libelle', (r) => r.label],
  [BILAN_LABELS.received, (r) => r.m.received], [`${BILAN_LABELS.ackOnTimeRate} (%)`, (r) => rate(r.m.ackOnTimeRate)],
  [`${BILAN_LABELS.resolvedOnTimeRate} (%)`, (r) => rate(r.m.resolvedOnTimeRate)], [BILAN_LABELS.transfers, (r) => r.m.transfers],
  [BILAN_LABELS.backlog, (r) => r.m.backlog], ['En retard', (r) => r.m.overdue], ['Rejetés', (r) => r.m.rejected],
  ['Doublons', (r) => r.m.duplicates], ['Urgents', (r) => r.m.urgent],
];

/**
 * Annual review (DESIGN 3.5, §4): GET /api/bilans/{year}[.pdf|.csv]?commune= — HTML for a browser, JSON otherwise;
 * a commune's text written and validated. Signed in; the services decide who writes and validates (domain/bilans.ts).
 */
export function bilansRoutes(ctx: AppContext) {
  return [
    // escape hatch: content negotiation (HTML for a browser, JSON otherwise) with Express's `req.accepts`
    rawRoute({
      method: 'GET', path: '/api/bilans/:file', access: 'signed-in', raw: true,
      handle: async (req, res, { user }) => {
        const m = /^([^.]*)(?:\.(pdf|csv))?$/.exec(req.params.file as string);
        if (!m) throw new AppError(404, 'not_found', 'Format inconnu : .pdf ou .csv');
        const year = bilanYear(m[1]!);
        const q = querySchema.safeParse(req.query);
        if (!q.success) throw validationError(q.error, 'Paramètres du bilan invalides');
        const b = await bilanFor(ctx.db, ctx.slots.documents, user, year, q.data.commune);
        const base = `bilan-${year}-${b.commune?.insee ?? 'territoire'}`;
        if (m[2] === 'pdf') {
          const { fileName, pdf } = await bilanPdf(b);
          res.set({ 'Cache-Control': 'private, no-store' }).type('application/pdf').attachment(fileName).send(pdf);
        } else if (m[2] === 'csv') {
          res.type('text/csv; charset=utf-8').attachment(`${base}.csv`).send(toCsv(CSV_COLUMNS, bilanCsvRows(b)));
        } else if (req.accepts(['json', 'html']) === 'html') {
          const qs = b.commune ? `?commune=${b.commune.insee}` : '';
          res.type('html').send(bilanHtml(b, { pdf: `${year}.pdf${qs}`, csv: `${year}.csv${qs}` }));
        } else {
          res.json(b);
        }
      },
    }),
    route({
      method: 'PUT', path: '/api/bilans/:year/communes/:insee/text', access: 'signed-in',
      handle: ({ params, body }, { user }) => {
        const year = bilanYear(params.year!);
        const code = inseeParam(params.insee!);
        const parsed = textSchema.safeParse(body);
        if (!parsed.success) throw validationError(parsed.error, 'Texte invalide');
        return writeBilanText(ctx.db, user, year, code, parsed.data.text);
      },
    }),
    route({
      method: 'POST', path: '/api/bilans/:year/communes/:insee/validate', access: 'signed-in',
      handle: ({ params }, { user }) => validateBilanText(ctx.db, user, bilanYear(params.year!), inseeParam(params.insee!)),
    }),
  ];
}
