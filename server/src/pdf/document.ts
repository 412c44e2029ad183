/**
 * The one PDF module of GUP (minutes of a walking diagnosis; the bilan uses it too): A4, embedded DejaVu Sans (every
 * French accent, real text that `pdftotext` and screen readers read), headings, paragraphs, tables, and a map drawn
 * as vector paths from GeoJSON (`./map.ts`), no tile server. pdfkit writes the file; nothing here does I/O but
 * reading the font files (once).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import type { Geometry } from 'geojson';
import { boundsOf, projection, svgPath, type Box } from './map.js';
import { woffToSfnt } from './woff.js';

const require = createRequire(import.meta.url);
/** DejaVu Sans (latin subset: French, « », ’, …, €), unwrapped from WOFF once, on first use. */
let fonts: { regular: Buffer; bold: Buffer } | undefined;
const font = (weight: 400 | 700) => woffToSfnt(fs.readFileSync(require.resolve(`@fontsource/dejavu-sans/files/dejavu-sans-latin-${weight}-normal.woff`)));

export type Pdf = PDFKit.PDFDocument;

/** A new A4 document with its title and the embedded fonts registered (`regular`, `bold`). */
export function createPdf(meta: { title: string; author?: string }): Pdf {
  const doc = new PDFDocument({ size: 'A4', margin: 48, info: { Title: meta.title, Author: meta.author ?? 'GUP' }, lang: 'fr-FR', displayTitle: true, pdfVersion: '1.7', tagged: true });
  fonts ??= { regular: font(400), bold: font(700) };
  doc.registerFont('regular', fonts.regular);
  doc.registerFont('bold', fonts.bold);
  doc.font('regular').fontSize(10);
  return doc;
}

export function heading(doc: Pdf, text: string, level: 1 | 2 = 1): void {
  doc.moveDown(level === 1 ? 0.2 : 0.8).font('bold').fontSize(level === 1 ? 18 : 13).fillColor('#1b2a4a').text(text);
  doc.moveDown(0.3).font('regular').fontSize(10).fillColor('black');
}

export function paragraph(doc: Pdf, text: string, opts: { muted?: boolean } = {}): void {
  doc.font('regular').fontSize(10).fillColor(opts.muted ? '#555555' : 'black').text(text, { align: 'left' });
  doc.fillColor('black');
}

/** A table with a bold header row; widths in points (the rest shares the page). */
export function table(doc: Pdf, header: string[], rows: string[][], widths?: number[]): void {
  doc.x = doc.page.margins.left;
  doc.font('regular').fontSize(8.5).table({
    columnStyles: widths ?? header.map(() => '*'),
    rowStyles: (i) => (i === 0 ? { backgroundColor: '#e6ebf3' } : undefined),
    data: [header.map((h) => ({ text: h, font: { src: 'bold' } })), ...rows],
  });
  doc.font('regular').fontSize(10).moveDown(0.5);
  doc.x = doc.page.margins.left;
}

export interface MapLayer {
  geometries: Geometry[];
  stroke: string;
  fill?: string;
  width?: number;
  dash?: boolean;
}
export interface MapPoint { lon: number; lat: number; label: string; colour: string }

/**
 * A map in a box at the current position: outlines and the route or area as paths, observations as numbered discs,
 * framed; the bounds are those of `frame` (the session). Moves the cursor below it.
 */
export function map(doc: Pdf, layers: MapLayer[], points: MapPoint[], frame: Geometry[], height = 300): void {
  const box: Box = { x: doc.page.margins.left, y: doc.y, width: doc.page.width - doc.page.margins.left - doc.page.margins.right, height };
  const bounds = boundsOf([...frame, ...points.map((p) => ({ type: 'Point', coordinates: [p.lon, p.lat] }) as Geometry)]);
  doc.save().rect(box.x, box.y, box.width, box.height).fillAndStroke('#f7f7f4', '#888888').restore();
  if (bounds) {
    const project = projection(bounds, box);
    doc.save().rect(box.x, box.y, box.width, box.height).clip();
    for (const l of layers) {
      for (const g of l.geometries) {
        const d = svgPath(g, project);
        if (!d) continue;
        doc.save().lineWidth(l.width ?? 1);
        if (l.dash) doc.dash(4, { space: 3 });
        doc.path(d);
        if (l.fill) doc.fillOpacity(0.25).fillAndStroke(l.fill, l.stroke); else doc.stroke(l.stroke);
        doc.undash().restore();
      }
    }
    for (const p of points) {
      const [x, y] = project([p.lon, p.lat]);
      doc.save().circle(x, y, 6).fillAndStroke(p.colour, 'white').restore();
      doc.save().font('bold').fontSize(6.5).fillColor('white').text(p.label, x - 6, y - 3, { width: 12, align: 'center', lineBreak: false }).restore();
    }
    doc.restore();
  }
  doc.x = doc.page.margins.left;
  doc.y = box.y + box.height + 8;
}

/** The finished document as bytes. */
export function toBuffer(doc: Pdf): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}
