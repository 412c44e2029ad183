import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO, pointIn } from '../support/geo.js';
import { api, login } from '../support/http.js';
import { getBytes, postForm } from '../support/multipart.js';
import { reportTablesCount } from '../support/reports.js';

let athis: string;
let juvisy: string;
let oph: string;
let dechets: string;
let lon: number;
let lat: number;
beforeAll(async () => {
  athis = await login('mairie.athis@demo.gup');
  juvisy = await login('mairie.juvisy@demo.gup');
  oph = await login('oph@demo.gup');
  dechets = await login('dechets@demo.gup');
  [lon, lat] = await pointIn(DEMO.landlordOph); // routed to oph-proximite, copy to ept-dechets
});

const fields = (extra: Record<string, string> = {}) => ({
  category: 'depot_sauvage', description: 'Matelas et cartons devant le hall', lon: String(lon), lat: String(lat), ...extra,
});

/** A phone picture: EXIF with camera, GPS position (Athis-Mons) and a "rotate 90°" orientation. */
async function phonePhoto(width = 1200, height = 600): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 180, g: 40, b: 40 } } })
    .withMetadata({ orientation: 6 })
    .withExifMerge({
      IFD0: { Make: 'TestPhone', Model: 'GPS Leaker 3000' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 42/1 1234/100', GPSLongitudeRef: 'E', GPSLongitude: '2/1 22/1 3456/100' },
    })
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** Whether EXIF bytes hold the GPS IFD pointer (tag 0x8825, either byte order). */
const hasGpsIfd = (exif: Buffer) => exif.includes(Buffer.from([0x88, 0x25])) || exif.includes(Buffer.from([0x25, 0x88]));

async function photoOf(reportId: number, cookie: string) {
  const details = await api(`/api/reports/${reportId}`, { cookie });
  expect(details.status).toBe(200);
  expect(details.body.photos).toHaveLength(1);
  return details.body.photos[0] as { id: number; url: string; thumbnailUrl: string; mime: string; width: number; height: number };
}

describe('report photos', () => {
  it('when a commune user posts a report with a phone photo, then it is stored upright, without EXIF or GPS, with a smaller thumbnail', async () => {
    const original = await phonePhoto();
    const before = await sharp(original).metadata();
    expect(before.exif?.toString('latin1')).toContain('GPS Leaker 3000'); // the test picture does carry metadata
    expect(hasGpsIfd(before.exif!)).toBe(true);
    expect(before.orientation).toBe(6);

    const res = await postForm('/api/reports', fields(), [{ bytes: original, name: 'IMG_0042.JPG', type: 'image/jpeg' }], { cookie: athis });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.routing.service.code).toBe('oph-proximite');

    const photo = await photoOf(res.body.id, athis);
    expect(photo).toMatchObject({ mime: 'image/jpeg', width: 600, height: 1200 }); // turned by its orientation
    const full = await getBytes(photo.url, athis);
    expect(full.status).toBe(200);
    expect(full.headers.get('content-type')).toBe('image/jpeg');
    expect(full.headers.get('cache-control')).toMatch(/^private/);
    const after = await sharp(full.bytes).metadata();
    expect(after).toMatchObject({ format: 'jpeg', width: 600, height: 1200 });
    expect(after.exif).toBeUndefined();
    expect(after.xmp).toBeUndefined();
    expect(after.iptc).toBeUndefined();
    expect(after.orientation).toBeUndefined();
    expect(full.bytes.toString('latin1')).not.toContain('GPS Leaker');

    const thumb = await getBytes(photo.thumbnailUrl, athis);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');
    const t = await sharp(thumb.bytes).metadata();
    expect(Math.max(t.width!, t.height!)).toBe(320);
    expect(t.exif).toBeUndefined();
    expect(thumb.bytes.length).toBeLessThan(full.bytes.length);
  });

  it('when the photo is larger than 2560 px, then it is scaled down to 2560 px on its longest side', async () => {
    const big = await sharp({ create: { width: 3000, height: 1500, channels: 3, background: '#3060a0' } }).jpeg().toBuffer();
    const res = await postForm('/api/reports', fields(), [{ bytes: big, name: 'big.jpg', type: 'image/jpeg' }], { cookie: athis });
    expect(res.status).toBe(201);
    expect(await photoOf(res.body.id, athis)).toMatchObject({ width: 2560, height: 1280 });
  });

  it.each([
    ['PNG', 'image/png', () => sharp({ create: { width: 500, height: 400, channels: 4, background: { r: 0, g: 128, b: 0, alpha: 0.5 } } }).png().toBuffer()],
    ['WebP', 'image/webp', () => sharp({ create: { width: 500, height: 400, channels: 3, background: '#804000' } }).webp().toBuffer()],
  ])('when the photo is a %s, then it is accepted and served as such', async (_label, mime, make) => {
    const res = await postForm('/api/reports', fields(), [{ bytes: await make(), name: 'photo', type: 'application/octet-stream' }], { cookie: athis });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const photo = await photoOf(res.body.id, athis);
    expect(photo.mime).toBe(mime);
    const full = await getBytes(photo.url, athis);
    expect(full.headers.get('content-type')).toBe(mime);
    expect((await sharp(full.bytes).metadata()).width).toBe(500);
  });

  it('when a report is posted as a form without a photo, then the form fields are typed like the JSON ones', async () => {
    const res = await postForm('/api/reports', fields({ category: 'voirie_degradee', urgent: 'true', urgencyCriterion: 'danger' }), [], { cookie: athis });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const details = await api(`/api/reports/${res.body.id}`, { cookie: athis });
    expect(details.body).toMatchObject({ urgent: true, urgencyCriterion: 'danger', photos: [] });
  });

  it('when the same form is sent twice with one Idempotency-Key, then one report with one photo exists', async () => {
    const key = `photo-${Date.now()}-idem`;
    const bytes = await phonePhoto(300, 200);
    const first = await postForm('/api/reports', fields(), [{ bytes, name: 'a.jpg', type: 'image/jpeg' }], { cookie: athis, headers: { 'Idempotency-Key': key } });
    const counts = await reportTablesCount();
    const second = await postForm('/api/reports', fields(), [{ bytes, name: 'a.jpg', type: 'image/jpeg' }], { cookie: athis, headers: { 'Idempotency-Key': key } });
    expect([first.status, second.status]).toEqual([201, 200]);
    expect(second.body.id).toBe(first.body.id);
    expect(await reportTablesCount()).toEqual(counts);
  });
});

describe('refused photos store nothing', () => {
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1');

  it.each([
    ['a PDF renamed .jpg', () => ({ bytes: pdf, name: 'photo.jpg', type: 'image/jpeg' }), 415, 'JPEG, PNG ou WebP'],
    ['an SVG', () => ({ bytes: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), name: 'x.jpg', type: 'image/jpeg' }), 415, 'JPEG, PNG ou WebP'],
    ['a truncated JPEG', async () => ({ bytes: (await phonePhoto()).subarray(0, 700), name: 'cut.jpg', type: 'image/jpeg' }), 422, 'illisible'],
  ])('when the photo is %s, then it is refused naming the field photo', async (_label, make, status, text) => {
    const counts = await reportTablesCount();
    const res = await postForm('/api/reports', fields(), [await make()], { cookie: athis });
    expect(res.status).toBe(status);
    expect(res.body.error.message).toContain(text);
    expect(res.body.error.details[0].field).toBe('photo');
    expect(await reportTablesCount()).toEqual(counts);
  });

  it('when the photo is larger than 8 MB, then 413 with a clear message and nothing is stored', async () => {
    const counts = await reportTablesCount();
    const bytes = Buffer.alloc(8 * 1024 * 1024 + 1);
    bytes.set([0xff, 0xd8, 0xff, 0xe0]);
    const res = await postForm('/api/reports', fields(), [{ bytes, name: 'huge.jpg', type: 'image/jpeg' }], { cookie: athis });
    expect(res.status).toBe(413);
    expect(res.body.error.message).toContain('8 Mo');
    expect(res.body.error.details[0].field).toBe('photo');
    expect(await reportTablesCount()).toEqual(counts);
  });

  it('when two files are sent, or a file in another field, then 400 and nothing is stored', async () => {
    const counts = await reportTablesCount();
    const bytes = await phonePhoto(100, 100);
    const two = await postForm('/api/reports', fields(), [{ bytes, name: 'a.jpg', type: 'image/jpeg' }, { bytes, name: 'b.jpg', type: 'image/jpeg' }], { cookie: athis });
    expect(two.status).toBe(400);
    const other = await postForm('/api/reports', fields(), [{ field: 'image', bytes, name: 'a.jpg', type: 'image/jpeg' }], { cookie: athis });
    expect(other.status).toBe(400);
    expect(other.body.error.message).toContain('photo');
    expect(await reportTablesCount()).toEqual(counts);
  });

  it('when a form field is wrong (lon not a number, unknown field), then 400 naming it and the photo is not kept', async () => {
    const counts = await reportTablesCount();
    const bytes = await phonePhoto(100, 100);
    const badLon = await postForm('/api/reports', fields({ lon: 'deux' }), [{ bytes, name: 'a.jpg', type: 'image/jpeg' }], { cookie: athis });
    expect(badLon.status).toBe(400);
    expect(badLon.body.error.details.map((d: any) => d.field)).toContain('lon');
    const extra = await postForm('/api/reports', fields({ admin: 'true' }), [], { cookie: athis });
    expect(extra.status).toBe(400);
    expect(await reportTablesCount()).toEqual(counts);
  });

  it('when a Juvisy user posts a photo in Athis-Mons, then 403 and nothing is stored', async () => {
    const counts = await reportTablesCount();
    const res = await postForm('/api/reports', fields(), [{ bytes: await phonePhoto(200, 100), name: 'a.jpg', type: 'image/jpeg' }], { cookie: juvisy });
    expect(res.status).toBe(403);
    expect(await reportTablesCount()).toEqual(counts);
  });
});

describe('who may see a photo', () => {
  it('when people outside the report\'s scope ask for its photo, then 404 (401 without a session); its commune and services see it', async () => {
    const res = await postForm('/api/reports', fields(), [{ bytes: await phonePhoto(400, 300), name: 'a.jpg', type: 'image/jpeg' }], { cookie: athis });
    expect(res.status).toBe(201);
    const photo = await photoOf(res.body.id, athis);
    for (const url of [photo.url, photo.thumbnailUrl]) {
      expect((await getBytes(url, juvisy)).status, `Juvisy ${url}`).toBe(404);
      expect((await getBytes(url)).status).toBe(401);
      expect((await getBytes(url, oph)).status).toBe(200); // the routed service
      expect((await getBytes(url, dechets)).status).toBe(200); // its copy (alsoNotify)
    }
    // a photo id under another report's id is not found either
    const [ojLon, ojLat] = await pointIn(DEMO.communeJuvisy);
    const juvisyReport = await api('/api/reports', { body: { category: 'graffiti', description: 'Tag sur le mur', lon: ojLon, lat: ojLat }, cookie: juvisy });
    expect(juvisyReport.status).toBe(201);
    expect((await getBytes(`/api/reports/${juvisyReport.body.id}/photos/${photo.id}`, juvisy)).status).toBe(404);
    expect((await getBytes(`/api/reports/${res.body.id}/photos/abc`, athis)).status).toBe(400);
  });
});
