import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../support/context.js';
import { pointIn, squareAround } from '../support/geo.js';
import { api, login } from '../support/http.js';

// Attacker's pass over the convention's signed document (PUT/GET /api/subsectors/:id/convention/document?name=): the
// file name chosen by the uploader travels to every reader's Content-Disposition header and to their disk.

let planner: string;
let athis: string;
let subsectorId: number;
const PDF = Buffer.from('%PDF-1.4\n% convention signée (test)\n%%EOF\n', 'latin1');

const upload = (name: string, body: Buffer = PDF) => api(`/api/subsectors/${subsectorId}/convention/document?name=${encodeURIComponent(name)}`, {
  method: 'PUT', cookie: planner, raw: new Uint8Array(body), headers: { 'content-type': 'application/pdf' },
});
const download = () => api(`/api/subsectors/${subsectorId}/convention/document`, { cookie: athis });

/** The file name a browser keeps from a Content-Disposition header (RFC 6266: `filename*` wins over `filename`). */
function savedName(header: string | null): string {
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header ?? '');
  if (star) return decodeURIComponent(star[1]!);
  const plain = /filename=(?:"([^"]*)"|([^;\s]+))/.exec(header ?? '');
  return plain?.[1] ?? plain?.[2] ?? '';
}

beforeAll(async () => {
  planner = await login('urbaniste@demo.gup');
  athis = await login('mairie.athis@demo.gup');
  const { db } = await testContext();
  // a Morangis parcel no other test uses (the 12th from the end by IDU); the sub-sector is archived afterwards
  const parcel = (await db.knex('parcels').where({ commune_insee: '91432' }).orderBy('idu', 'desc').offset(11).first('idu')) as { idu: string };
  const created = await api('/api/subsectors', { body: { type: 'Feature', geometry: squareAround(await pointIn(parcel.idu), 0.00003), properties: { name: 'Convention attaquée (test)', allowOverlap: true } }, cookie: planner });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  subsectorId = created.body.id;
  const put = await api(`/api/subsectors/${subsectorId}/convention`, { method: 'PUT', cookie: planner, body: { title: 'Convention <b>attaquée</b>', status: 'draft' } });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
});

afterAll(async () => {
  if (subsectorId) await api(`/api/subsectors/${subsectorId}`, { method: 'DELETE', cookie: planner });
});

describe('attack: the signed document of a convention', () => {
  it('when the uploaded name holds characters beyond Latin-1 (a dash, accents), then every reader downloads it under that name, not a 500', async () => {
    expect((await upload('Convention — signée 2026.pdf')).status).toBe(200);
    const res = await download();
    expect(res.status).toBe(200);
    expect(savedName(res.headers.get('content-disposition'))).toBe('Convention — signée 2026.pdf');
    expect(res.headers.get('content-type')).toBe('application/pdf');
  });

  it('when the uploaded name hides its extension behind a right-to-left override, then the override is dropped and the name ends in .pdf', async () => {
    // "facture‮fdp.exe" displays as "facturexe.pdf" in a file manager: an executable dressed as a PDF
    const up = await upload('facture\u202Efdp.exe');
    expect(up.status).toBe(200);
    expect(up.body.convention.document.name).toBe('facturefdp.exe.pdf');
    const res = await download();
    expect(res.status).toBe(200);
    expect(savedName(res.headers.get('content-disposition'))).toBe('facturefdp.exe.pdf');
  });

  it('when the uploaded name holds a line break, quotes or a path, then the header stays one line and the name a bare file name', async () => {
    const up = await upload('../../etc/"passwd"\r\nSet-Cookie: gup=volé.pdf');
    expect(up.status).toBe(200);
    const stored: string = up.body.convention.document.name;
    expect(stored).not.toMatch(/[\r\n"/\\]/);
    const res = await download();
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(savedName(res.headers.get('content-disposition'))).toBe(stored);
  });

  it('when a document is read, then it is sent as an attachment with nosniff, never rendered inline in the GUP origin', async () => {
    expect((await upload('convention.pdf')).status).toBe(200);
    const res = await download();
    expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toContain('no-store');
  });

  it('when a file that is not a PDF is uploaded under a .pdf name, then 415 naming the document and the stored one stays', async () => {
    const before = (await download()).body;
    const res = await upload('convention.pdf', Buffer.from('<html><script>alert(1)</script></html>'));
    expect(res.status).toBe(415);
    expect(res.body.error.details[0].field).toBe('document');
    expect((await download()).body).toBe(before);
  });

  it('when a commune user, an anonymous caller or another origin uploads a document, then 403 / 401 and the stored one stays', async () => {
    const before = (await download()).body;
    const url = `/api/subsectors/${subsectorId}/convention/document?name=x.pdf`;
    const { baseUrl } = await testContext();
    const otherPort = baseUrl.replace(/:(\d+)$/, (_m, p: string) => `:${Number(p) + 1}`);
    expect((await api(url, { method: 'PUT', cookie: planner, raw: new Uint8Array(PDF), headers: { 'content-type': 'application/pdf', origin: otherPort } })).status).toBe(403);
    expect((await api(url, { method: 'PUT', cookie: athis, raw: new Uint8Array(PDF), headers: { 'content-type': 'application/pdf' } })).status).toBe(403);
    expect((await api(url, { method: 'PUT', raw: new Uint8Array(PDF), headers: { 'content-type': 'application/pdf' } })).status).toBe(401);
    expect((await api(`/api/subsectors/${subsectorId}/convention/document`)).status).toBe(401);
    expect((await download()).body).toBe(before);
  });
});
