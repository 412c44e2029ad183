/**
 * The HTML pages of `/ogcapi` for a browser (`Accept: text/html` or `f=html`): server-rendered, every value escaped,
 * in French, readable at 390 px (tables scroll sideways), with the JSON of each page one link away.
 */
import type { CollectionDoc, Link } from '../services/ogcapi.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Text for HTML content and attribute values. */
export const esc = (v: unknown): string => String(v ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fff}
header,main,footer{max-width:70rem;margin:0 auto;padding:.75rem 1rem}header{border-bottom:1px solid #ccc}
h1{font-size:1.6rem;line-height:1.25}a{color:#0b4f9c}a:focus,.scroll:focus{outline:3px solid #f1a208;outline-offset:2px}.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:.9rem}th,td{border:1px solid #bbb;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#eef2f7}caption{text-align:left;font-weight:600;padding:.25rem 0}code{word-break:break-all}`;

function page(title: string, crumbs: [string, string | null][], body: string, links: readonly Link[]): string {
  const json = links.find((l) => l.rel === 'alternate');
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} — GUP OGC API</title><style>${STYLE}</style></head><body>
<header><nav aria-label="Fil d'Ariane">${crumbs.map(([label, href]) => (href ? `<a href="${esc(href)}">${esc(label)}</a>` : `<span aria-current="page">${esc(label)}</span>`)).join(' › ')}</nav></header>
<main><h1>${esc(title)}</h1>${body}</main>
<footer>${json ? `<a href="${esc(json.href)}" type="${esc(json.type)}">Voir en JSON</a>` : ''}</footer></body></html>`;
}

const linkList = (links: readonly Link[]) =>
  `<ul>${links.filter((l) => l.rel !== 'self' && l.rel !== 'alternate').map((l) => `<li><a href="${esc(l.href)}">${esc(l.title ?? l.href)}</a> <small>(${esc(l.rel)})</small></li>`).join('')}</ul>`;

export function landingHtml(doc: { title: string; description: string; links: Link[] }): string {
  return page(doc.title, [['Accueil', null]], `<p>${esc(doc.description)}</p>${linkList(doc.links.filter((l) => !l.rel.startsWith('http')))}`, doc.links);
}

export function conformanceHtml(base: string, doc: { conformsTo: string[]; links: Link[] }): string {
  return page('Conformité', [['Accueil', `${base}/?f=html`], ['Conformité', null]], `<ul>${doc.conformsTo.map((c) => `<li><code>${esc(c)}</code></li>`).join('')}</ul>`, doc.links);
}

const extentText = (c: CollectionDoc) => {
  const b = c.extent.spatial.bbox[0];
  const t = (c.extent as { temporal?: { interval: (string | null)[][] } }).temporal?.interval[0];
  return `${b ? `Emprise : ${b.map((x) => x.toFixed(5)).join(', ')}` : 'Emprise : aucun objet'}${t ? ` · Période : ${esc(t[0] ?? '…')} → ${esc(t[1] ?? '…')}` : ''}`;
};

export function collectionsHtml(base: string, doc: { collections: CollectionDoc[]; links: Link[] }): string {
  const rows = doc.collections.map((c) => `<tr><th scope="row"><a href="${esc(`${base}/collections/${c.id}?f=html`)}">${esc(c.title)}</a></th><td><code>${esc(c.id)}</code></td><td>${esc(c.description)}</td><td><a href="${esc(`${base}/collections/${c.id}/items?f=html`)}">Objets</a></td></tr>`).join('');
  return page('Collections', [['Accueil', `${base}/?f=html`], ['Collections', null]],
    `<div class="scroll" role="region" tabindex="0" aria-label="Tableau défilant"><table><caption>Collections accessibles</caption><thead><tr><th scope="col">Titre</th><th scope="col">Identifiant</th><th scope="col">Description</th><th scope="col">Données</th></tr></thead><tbody>${rows}</tbody></table></div>`, doc.links);
}

export function collectionHtml(base: string, c: CollectionDoc): string {
  return page(c.title, [['Accueil', `${base}/?f=html`], ['Collections', `${base}/collections?f=html`], [c.title, null]],
    `<p>${esc(c.description)}</p><p>${extentText(c)}</p>${linkList(c.links)}`, c.links);
}

interface FeatureJson { id: string | number; properties: Record<string, unknown> | null }
const cell = (v: unknown) => esc(v !== null && typeof v === 'object' ? JSON.stringify(v) : v);

export function itemsHtml(base: string, id: string, title: string, collection: { features: FeatureJson[]; numberMatched: number; numberReturned: number; links: Link[] }): string {
  const columns = [...new Set(collection.features.flatMap((f) => Object.keys(f.properties ?? {})))];
  const rows = collection.features.map((f) => `<tr><th scope="row"><a href="${esc(`${base}/collections/${id}/items/${encodeURIComponent(String(f.id))}?f=html`)}">${esc(f.id)}</a></th>${columns.map((c) => `<td>${cell(f.properties?.[c])}</td>`).join('')}</tr>`).join('');
  const next = collection.links.find((l) => l.rel === 'next');
  return page(`${title} — objets`, [['Accueil', `${base}/?f=html`], ['Collections', `${base}/collections?f=html`], [title, `${base}/collections/${id}?f=html`], ['Objets', null]],
    `<p>${collection.numberReturned} objet(s) sur ${collection.numberMatched}.</p>
<div class="scroll" role="region" tabindex="0" aria-label="Tableau défilant"><table><caption>Objets de la collection ${esc(title)}</caption><thead><tr><th scope="col">Identifiant</th>${columns.map((c) => `<th scope="col">${esc(c)}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table></div>
${next ? `<p><a href="${esc(next.href)}" rel="next">Page suivante</a></p>` : ''}`, collection.links);
}

export function featureHtml(base: string, id: string, title: string, f: FeatureJson & { links: Link[] }): string {
  const rows = Object.entries(f.properties ?? {}).map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${cell(v)}</td></tr>`).join('');
  return page(`${title} ${f.id}`, [['Accueil', `${base}/?f=html`], ['Collections', `${base}/collections?f=html`], [title, `${base}/collections/${id}?f=html`], ['Objets', `${base}/collections/${id}/items?f=html`], [String(f.id), null]],
    `<div class="scroll" role="region" tabindex="0" aria-label="Tableau défilant"><table><caption>Propriétés</caption><tbody>${rows}</tbody></table></div>`, f.links);
}
