/**
 * Minutes of a walking diagnosis (DESIGN 3.6): a French A4 PDF for the participants — the session, its participants,
 * a map of the observations over the route or area and the commune / QPV outlines, a table by theme with what became
 * of each observation, the decisions. Observations of confidential criteria (tranquillité) are counted, never shown.
 */
import type { Knex } from 'knex';
import type { Database } from '../data/db.js';
import type { Geometry } from 'geojson';
import { observationsOf, placeOutlines, type DiagnosticRow } from '../data/diagnostics.js';
import type { SessionUser } from '../data/users.js';
import {
  criteriaOf, isShareable, DIAGNOSTIC_STATUS_LABELS, OBSERVATION_KIND_LABELS, OUTCOME_LABELS, PARTICIPANT_KIND_LABELS, SEVERITY_LABELS,
  type ObservationOutcome,
} from '../domain/diagnostics.js';
import { createPdf, heading, map, paragraph, table, toBuffer } from '../pdf/document.js';
import { visibleDiagnostic } from './diagnostics.js';
import { requireTerritory } from './territory.js';
import type { WorkSlots } from '../http/work-slots.js';

const OUTCOME_COLOURS: Record<ObservationOutcome, string> = { pending: '#6b6b6b', report: '#b3261e', action: '#1f5fa8', dismissed: '#8a8a8a', merged: '#8a8a8a' };

/**
 * The minutes of a session the user reaches: whether they reach it is decided first (404 even while their slots are
 * taken), then the PDF is drawn in one of their document slots (`slots`, the app's `documents`).
 */
export async function minutesPdf(db: Database, slots: WorkSlots, user: SessionUser, id: number): Promise<{ fileName: string; pdf: Buffer }> {
  const d = await visibleDiagnostic(db.knex, user, id);
  return slots.run(user.id, () => renderMinutes(db, d));
}

async function renderMinutes(db: Database, d: DiagnosticRow): Promise<{ fileName: string; pdf: Buffer }> {
  const { knex } = db;
  const t = await requireTerritory(db);
  const criteria = criteriaOf(t.observationGrid);
  const [all, outlines] = await Promise.all([observationsOf(knex, d.id), placeOutlines(knex, d.communeInsee, d.qpvCode)]);
  const shown = all.filter((o) => isShareable(criteria.get(o.criterion)));
  const hidden = all.length - shown.length;
  const date = new Date(`${d.heldOn}T12:00:00Z`).toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });

  const doc = createPdf({ title: `Compte rendu — ${d.title}` });
  heading(doc, `Compte rendu du diagnostic en marchant`);
  paragraph(doc, d.title);
  paragraph(doc, `${d.communeName}${d.qpvName ? ` — QPV ${d.qpvName}` : ''} · ${date}${d.slot ? `, ${d.slot}` : ''} · statut : ${DIAGNOSTIC_STATUS_LABELS[d.status]}`, { muted: true });

  heading(doc, 'Participants', 2);
  paragraph(doc, d.participants.length
    ? d.participants.map((p) => `${p.name}${p.organisation ? ` (${p.organisation})` : ''} — ${PARTICIPANT_KIND_LABELS[p.kind as keyof typeof PARTICIPANT_KIND_LABELS] ?? p.kind}`).join(' ; ')
    : 'Aucun participant enregistré.');

  heading(doc, 'Carte des observations', 2);
  const frame: Geometry[] = [d.geometry];
  map(doc, [
    ...(outlines.commune ? [{ geometries: [outlines.commune], stroke: '#7a7a7a', width: 0.8, dash: true }] : []),
    ...(outlines.qpv ? [{ geometries: [outlines.qpv], stroke: '#9c4dcc', fill: '#9c4dcc', width: 1 }] : []),
    { geometries: [d.geometry], stroke: '#1b2a4a', fill: d.geometry.type === 'LineString' ? undefined : '#4a78c2', width: 2 },
  ], shown.map((o, i) => ({ lon: o.lon, lat: o.lat, label: String(i + 1), colour: OUTCOME_COLOURS[o.outcome] })), frame);
  paragraph(doc, `Numéros : ceux du tableau ci-dessous. Rouge : signalement ; bleu : plan d'actions ; gris : à trier, écartée ou fusionnée.${d.qpvName ? ' Violet : contour du QPV.' : ''}`, { muted: true });

  heading(doc, 'Observations par thème', 2);
  if (shown.length === 0) paragraph(doc, 'Aucune observation diffusable.');
  const number = new Map(shown.map((o, i) => [o.id, i + 1]));
  for (const theme of t.observationGrid) {
    const rows = shown.filter((o) => criteria.get(o.criterion)?.theme === theme.code);
    if (rows.length === 0) continue;
    heading(doc, `${theme.name} (${rows.length})`, 2);
    table(doc, ['N°', 'Critère', 'Nature', 'Gravité', 'Observation', 'Suite donnée'], rows.map((o) => [
      String(number.get(o.id)),
      criteria.get(o.criterion)?.name ?? o.criterion,
      OBSERVATION_KIND_LABELS[o.kind],
      o.severity ? SEVERITY_LABELS[o.severity] : '',
      o.text || '—',
      `${OUTCOME_LABELS[o.outcome]}${o.reportReference ? ` ${o.reportReference}` : ''}${o.outcomeReason ? ` : ${o.outcomeReason}` : ''}${o.mergedInto ? ` (avec n° ${number.get(o.mergedInto) ?? '?'})` : ''}`,
    ]), [26, 90, 70, 60, 150, 103]);
  }
  const unknown = shown.filter((o) => !criteria.has(o.criterion));
  if (unknown.length) paragraph(doc, `${unknown.length} observation(s) d'un critère retiré de la grille.`, { muted: true });
  if (hidden) paragraph(doc, `${hidden} observation(s) de tranquillité, non diffusée(s) dans ce compte rendu, ont été transmise(s) aux services concernés.`, { muted: true });

  heading(doc, 'Décisions', 2);
  const counts = (['report', 'action', 'dismissed', 'merged', 'pending'] as const).map((k) => [k, shown.filter((o) => o.outcome === k).length] as const).filter(([, n]) => n > 0);
  paragraph(doc, counts.length ? counts.map(([k, n]) => `${OUTCOME_LABELS[k]} : ${n}`).join(' · ') : 'Aucune observation triée.');
  paragraph(doc, d.decisions?.trim() || 'Pas de décision consignée.');

  return { fileName: `compte-rendu-diagnostic-${d.id}.pdf`, pdf: await toBuffer(doc) };
}
