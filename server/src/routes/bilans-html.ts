/**
 * The annual review as an HTML page (`GET /api/bilans/{year}` with `Accept: text/html`): server-rendered, every value
 * escaped, French, no script (strict CSP), tables with captions, bar charts as labelled CSS bars, the hotspots map as
 * an inline SVG drawn from GeoJSON by the PDF's projection (`pdf/map.ts`), readable at 390 px.
 */
import type { Geometry } from 'geojson';
import { boundsOf, projection, svgPath } from '../pdf/map.js';
import { BILAN_LABELS, bilanRate, type Bilan } from '../services/bilans.js';
import type { StatsRowView } from '../domain/api.js';
import { esc } from './ogcapi-html.js';

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fff}
main{max-width:60rem;margin:0 auto;padding:.75rem 1rem}h1{font-size:1.6rem;line-height:1.25}
a{color:#0b4f9c}a:focus,.scroll:focus{outline:3px solid #f1a208;outline-offset:2px}.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:.9rem}th,td{border:1px solid #bbb;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#eef2f7}caption{text-align:left;font-weight:600;padding:.25rem 0}.bar{background:#1f5fa8;height:.8rem;min-width:1px}
  .draft{border-left:4px solid #8a5a00;padding-left:.75rem;background:#fff8e6}\nsvg{max-width:100%;height:auto;border:1px solid #888;background:#f7f7f4}`;

function statsTable(caption: string, rows: StatsRowView[]): string {
  if (rows.length === 0) return `<p>${esc(caption)} : aucun signalement.</p>`;
  const max = Math.max(1, ...rows.map((r) => r.received));
  return `<div class="scroll" tabindex="0" role="region" aria-label="${esc(caption)}"><table><caption>${esc(caption)}</caption>
<thead><tr><th scope="col">${esc(BILAN_LABELS.key)}</th><th scope="col">${esc(BILAN_LABELS.received)}</th><th scope="col">Graphique</th><th scope="col">${esc(BILAN_LABELS.ackOnTimeRate)}</th><th scope="col">${esc(BILAN_LABELS.resolvedOnTimeRate)}</th><th scope="col">${esc(BILAN_LABELS.transfers)}</th><th scope="col">${esc(BILAN_LABELS.backlog)}</th></tr></thead><tbody>
${rows.map((r) => `<tr><th scope="row">${esc(r.label)}</th><td>${r.received}</td><td><div class="bar" style="width:${Math.round((r.received / max) * 8)}rem"></div></td><td>${esc(bilanRate(r.ackOnTimeRate))}</td><td>${esc(bilanRate(r.resolvedOnTimeRate))}</td><td>${r.transfers}</td><td>${r.backlog}</td></tr>`).join('\n')}
</tbody></table></div>`;
}

function mapSvg(b: Bilan): string {
  const cells = b.hotspots.features.map((f) => f.geometry as Geometry);
  const frame = b.outlines.communes.length ? b.outlines.communes : cells;
  const bounds = boundsOf(frame);
  if (!bounds) return '<p>Aucun contour à cartographier.</p>';
  const box = { x: 0, y: 0, width: 600, height: 400 };
  const project = projection(bounds, box);
  const path = (g: Geometry, attrs: string) => `<path d="${svgPath(g, project)}" ${attrs}/>`;
  return `<svg viewBox="0 0 600 400" role="img" aria-labelledby="carte-titre"><title id="carte-titre">Carte : contour${b.commune ? ' de la commune' : 's des communes'}, QPV en violet, points chauds en rouge (${cells.length})</title>
${b.outlines.communes.map((g) => path(g, 'fill="none" stroke="#555" stroke-dasharray="4 3"')).join('')}
${b.outlines.qpv.map((g) => path(g, 'fill="#9c4dcc" fill-opacity="0.25" stroke="#9c4dcc"')).join('')}
${cells.map((g) => path(g, 'fill="#b3261e" stroke="#b3261e"')).join('')}</svg>`;
}

const paras = (text: string) => text.split(/\n\s*\n/).map((p) => `<p>${esc(p).replace(/\n/g, '<br>')}</p>`).join('');

function textsHtml(b: Bilan): string {
  if (b.texts.length === 0) return '<p>Aucune section de commune validée.</p>';
  return b.texts.map((t) => `<section><h3>${esc(t.name)}</h3>${t.validated !== null ? paras(t.validated) : '<p>Pas encore de texte validé.</p>'}${
    t.draft !== undefined ? `<div class="draft"><p><strong>Brouillon non validé :</strong></p>${paras(t.draft)}</div>` : ''}</section>`).join('\n');
}

const counts = (m: Record<string, number>) => Object.entries(m).map(([k, n]) => `${esc(k)} : ${n}`).join(' · ') || '—';

function followUpHtml(b: Bilan): string {
  const diag = b.diagnostics.length
    ? `<ul>${b.diagnostics.map((d) => `<li>${esc(d.heldOn)} — ${esc(d.title)} (${esc(d.commune)}) : ${d.observations} observation(s) ; ${counts(d.outcomes)}</li>`).join('')}</ul>`
    : '<p>Aucun diagnostic en marchant dans l\'année.</p>';
  const actions = `<p>${b.actions.total} action(s) : ${counts(b.actions.byStatus)}</p>${b.actions.items.length ? `<ul>${b.actions.items.map((a) => `<li>${esc(a.title)} (${esc(a.commune)}) — ${esc(a.status)}${a.dueOn ? `, échéance ${esc(a.dueOn)}` : ''}</li>`).join('')}</ul>` : ''}`;
  const flips = b.commune ? '' : `<h2>Décisions sur les sous-secteurs</h2>${b.subsectorFlips.length
    ? `<ul>${b.subsectorFlips.map((f) => `<li>${esc(f.at)} — ${esc(f.name)} : ${esc(f.from)} → ${esc(f.to)}</li>`).join('')}</ul>` : '<p>Aucun changement de gestion dans l\'année.</p>'}`;
  return `<h2>Diagnostics en marchant</h2>${diag}<h2>Plan d'actions</h2>${actions}${flips}`;
}

export function bilanHtml(b: Bilan, links: { pdf: string; csv: string }): string {
  const title = `Bilan ${b.year} — ${b.commune ? b.commune.name : b.territory}`;
  const t = b.totals;
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} — GUP</title><style>${STYLE}</style></head><body><main>
<h1>${esc(title)}</h1>
<p>Bilan annuel de la gestion urbaine de proximité, du 1er janvier au 31 décembre ${b.year} (données au ${esc(b.asOf.slice(0, 10))}).
<a href="${esc(links.pdf)}">Télécharger le PDF</a> · <a href="${esc(links.csv)}">Télécharger les données (CSV)</a></p>
<h2>Partenaires et périmètre</h2>
<p>Communes : ${esc(b.perimeter.communes.join(', '))} · QPV : ${b.perimeter.qpv}</p>
<p>Partenaires : ${esc(b.partners.join(', '))}</p>
<h2>Activité et délais</h2>
<ul><li>${esc(BILAN_LABELS.received)} : ${t.received}</li><li>${esc(BILAN_LABELS.ackOnTimeRate)} : ${esc(bilanRate(t.ackOnTimeRate))}</li>
<li>${esc(BILAN_LABELS.resolvedOnTimeRate)} : ${esc(bilanRate(t.resolvedOnTimeRate))}</li><li>${esc(BILAN_LABELS.transfers)} : ${t.transfers}</li>
<li>${esc(BILAN_LABELS.backlog)} : ${t.backlog} (dont en retard : ${t.overdue})</li><li>Rejetés : ${t.rejected} · doublons : ${t.duplicates} · urgents : ${t.urgent}</li></ul>
${statsTable('Activité par thématique', b.byTheme)}
${statsTable('Activité en QPV et hors QPV', b.byQpv)}
${statsTable('Activité par mois', b.byMonth)}
<h2>Points chauds récurrents</h2>
<p>Mailles de 100 m avec au moins ${b.hotspotMin} signalements dans l'année : ${b.hotspots.features.length}.</p>
${mapSvg(b)}
${followUpHtml(b)}
<h2>Le mot des communes</h2>
${textsHtml(b)}
</main></body></html>`;
}
