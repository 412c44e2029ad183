/**
 * The annual review as a French A4 PDF (DESIGN 3.5), with the one PDF module (`pdf/document.ts`): real text (DejaVu
 * Sans embedded, `pdftotext` reads it), tables, bar charts drawn as vectors, and a map of the hotspot cells over the
 * QPV and commune outlines.
 */
import type { Geometry } from 'geojson';
import { createPdf, heading, map, paragraph, table, toBuffer, type Pdf } from '../pdf/document.js';
import type { StatsRowView } from '../domain/api.js';
import { BILAN_LABELS, bilanRate, type Bilan } from './bilans.js';

/**
 * Rows of a list in the PDF (sessions, action items, sub-sector decisions) at most: a committee document summarises, and
 * pdfkit draws a table row in ~10–16 ms, so 5 001 action items took over a minute of the server's CPU. The rest is named
 * with where to read it whole (the HTML/JSON bilan, the action plan's CSV export).
 */
export const BILAN_PDF_MAX_ROWS = 100;

/** A table of at most BILAN_PDF_MAX_ROWS rows, then a line naming how many more and where they are. */
function cappedTable(doc: Pdf, header: string[], rows: string[][], more: (n: number) => string): void {
  table(doc, header, rows.slice(0, BILAN_PDF_MAX_ROWS));
  if (rows.length > BILAN_PDF_MAX_ROWS) paragraph(doc, more(rows.length - BILAN_PDF_MAX_ROWS), { muted: true });
}

/** Horizontal bars of `received` per row, drawn as rectangles with their labels and values. */
function barChart(doc: Pdf, rows: StatsRowView[]): void {
  if (rows.length === 0) return;
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const max = Math.max(1, ...rows.map((r) => r.received));
  const rowH = 13;
  if (doc.y + rows.length * rowH > doc.page.height - doc.page.margins.bottom) doc.addPage();
  let y = doc.y;
  for (const r of rows) {
    const w = ((width - 190) * r.received) / max;
    doc.save().font('regular').fontSize(8).fillColor('black').text(r.label, left, y + 2, { width: 140, lineBreak: false, ellipsis: true }).restore();
    doc.save().rect(left + 145, y + 2, Math.max(w, 0.5), rowH - 4).fill('#1f5fa8').restore();
    doc.save().font('regular').fontSize(8).fillColor('black').text(String(r.received), left + 150 + w, y + 2, { lineBreak: false }).restore();
    y += rowH;
  }
  doc.x = left;
  doc.y = y + 6;
}

function statsSection(doc: Pdf, title: string, rows: StatsRowView[]): void {
  heading(doc, title, 2);
  if (rows.length === 0) { paragraph(doc, 'Aucun signalement.'); return; }
  barChart(doc, rows);
  table(doc, [BILAN_LABELS.key, BILAN_LABELS.received, BILAN_LABELS.ackOnTimeRate, BILAN_LABELS.resolvedOnTimeRate, BILAN_LABELS.transfers, BILAN_LABELS.backlog],
    rows.map((r) => [r.label, String(r.received), bilanRate(r.ackOnTimeRate), bilanRate(r.resolvedOnTimeRate), String(r.transfers), String(r.backlog)]));
}

export async function bilanPdf(b: Bilan): Promise<{ fileName: string; pdf: Buffer }> {
  const name = b.commune ? b.commune.name : b.territory;
  const doc = createPdf({ title: `Bilan ${b.year} — ${name}` });
  heading(doc, `Bilan annuel ${b.year} — ${name}`);
  paragraph(doc, `Gestion urbaine de proximité, du 1er janvier au 31 décembre ${b.year} (données au ${b.asOf.slice(0, 10)}).`, { muted: true });
  heading(doc, 'Partenaires et périmètre', 2);
  paragraph(doc, `Communes : ${b.perimeter.communes.join(', ')} · QPV : ${b.perimeter.qpv}`);
  paragraph(doc, `Partenaires : ${b.partners.join(', ')}`);
  heading(doc, 'Activité et délais', 2);
  const t = b.totals;
  paragraph(doc, `${BILAN_LABELS.received} : ${t.received} · ${BILAN_LABELS.ackOnTimeRate} : ${bilanRate(t.ackOnTimeRate)} · ${BILAN_LABELS.resolvedOnTimeRate} : ${bilanRate(t.resolvedOnTimeRate)}`);
  paragraph(doc, `${BILAN_LABELS.transfers} : ${t.transfers} · ${BILAN_LABELS.backlog} : ${t.backlog} (dont en retard : ${t.overdue}) · rejetés : ${t.rejected} · doublons : ${t.duplicates} · urgents : ${t.urgent}`);
  statsSection(doc, 'Activité par thématique', b.byTheme);
  statsSection(doc, 'Activité en QPV et hors QPV', b.byQpv);
  statsSection(doc, 'Activité par mois', b.byMonth);
  doc.addPage();
  heading(doc, 'Points chauds récurrents', 2);
  const cells = b.hotspots.features.map((f) => f.geometry as Geometry);
  map(doc, [
    { geometries: b.outlines.communes, stroke: '#555555', width: 0.8, dash: true },
    { geometries: b.outlines.qpv, stroke: '#9c4dcc', fill: '#9c4dcc', width: 1 },
    { geometries: cells, stroke: '#b3261e', fill: '#b3261e', width: 0.5 },
  ], [], b.outlines.communes.length ? b.outlines.communes : cells, 420);
  paragraph(doc, `Mailles de 100 m avec au moins ${b.hotspotMin} signalements dans l'année : ${cells.length}. Violet : QPV ; tirets : contour${b.commune ? ' de la commune' : 's des communes'}.`, { muted: true });
  const counts = (m: Record<string, number>) => Object.entries(m).map(([k, n]) => `${k} : ${n}`).join(' · ') || '—';
  heading(doc, 'Diagnostics en marchant', 2);
  if (b.diagnostics.length === 0) paragraph(doc, 'Aucun diagnostic en marchant dans l\'année.');
  else cappedTable(doc, ['Date', 'Diagnostic', 'Commune', 'Observations', 'Suites données'], b.diagnostics.map((d) => [d.heldOn, d.title, d.commune, String(d.observations), counts(d.outcomes)]),
    (n) => `… et ${n} autre(s) diagnostic(s) : liste complète dans la page du bilan et dans Diagnostics.`);
  heading(doc, 'Plan d\'actions', 2);
  paragraph(doc, `${b.actions.total} action(s) : ${counts(b.actions.byStatus)}`);
  if (b.actions.items.length) {
    cappedTable(doc, ['Action', 'Commune', 'Statut', 'Échéance'], b.actions.items.map((a) => [a.title, a.commune, a.status, a.dueOn ?? '—']),
      (n) => `… et ${n} autre(s) action(s) : liste complète dans la page du bilan et dans le plan d'actions (export CSV).`);
  }
  if (!b.commune) {
    heading(doc, 'Décisions sur les sous-secteurs', 2);
    if (b.subsectorFlips.length === 0) paragraph(doc, 'Aucun changement de gestion dans l\'année.');
    else cappedTable(doc, ['Date', 'Sous-secteur', 'Avant', 'Après'], b.subsectorFlips.map((f) => [f.at, f.name, f.from, f.to]),
      (n) => `… et ${n} autre(s) changement(s) : liste complète dans la page du bilan.`);
  }
  heading(doc, 'Le mot des communes', 2);
  if (b.texts.length === 0) paragraph(doc, 'Aucune section de commune validée.');
  for (const t of b.texts) {
    heading(doc, t.name, 2);
    paragraph(doc, t.validated ?? 'Pas encore de texte validé.');
    if (t.draft !== undefined) paragraph(doc, `Brouillon non validé : ${t.draft}`, { muted: true });
  }
  const slug = (b.commune?.insee ?? 'territoire');
  return { fileName: `bilan-${b.year}-${slug}.pdf`, pdf: await toBuffer(doc) };
}
