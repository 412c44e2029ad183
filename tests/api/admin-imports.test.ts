import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { paths } from '../../server/src/config.js';
import { testContext } from '../support/context.js';
import { api, login } from '../support/http.js';
import { postForm } from '../support/multipart.js';

let admin: string;
beforeAll(async () => {
  admin = await login('admin@demo.gup');
});

const CADASTRE = 'cadastre-91479-parcelles.json.gz';
const cadastreBytes = () => fs.readFileSync(path.join(paths.repoRoot, 'geodata', 'cadastre', CADASTRE));

/**
 * Polls an import job until it ends. On the embedded engine the import's SQL runs in this process and may hold the
 * event loop for seconds, so the server can close a kept-alive socket just as the next poll reuses it (ECONNRESET):
 * a poll is a GET, it is simply sent again, as a browser does.
 */
async function finished(id: number, timeoutMs = 120_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await api(`/api/admin/imports/${id}`, { cookie: admin }).catch(async () => api(`/api/admin/imports/${id}`, { cookie: admin }));
    expect(res.status).toBe(200);
    if (res.body.job.status !== 'running') return res.body.job;
    if (Date.now() > until) throw new Error(`import ${id} still running`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('imports from the browser', () => {
  it('when an admin uploads a cadastre file, then the same import runs, its summary is kept in the job and the history, and it is audited', async () => {
    const res = await postForm('/api/admin/imports', {}, [{ field: 'files', bytes: cadastreBytes(), name: CADASTRE, type: 'application/gzip' }], { cookie: admin });
    expect(res.status).toBe(202);
    expect(res.body.job).toMatchObject({ status: 'running', files: [{ name: CADASTRE, bytes: cadastreBytes().length }] });
    const job = await finished(res.body.job.id);
    expect(job.status).toBe('done');
    expect(job.summaries).toEqual([expect.objectContaining({ file: CADASTRE, kind: 'cadastre', inserted: 0, updated: 0, removed: 0 })]);
    expect(job.summaries[0].read).toBeGreaterThan(1000);
    expect(job.summaries[0].unchanged).toBe(job.summaries[0].read); // the demo's own file: nothing changes (idempotent)
    const history = await api('/api/admin/imports', { cookie: admin });
    expect(history.body.jobs[0].id).toBe(job.id);
    expect(history.body.files[0]).toMatchObject({ kind: 'cadastre', fileName: CADASTRE });
    const { db } = await testContext();
    const entry = await db.knex('audit_log').where({ action: 'import.run', entity_id: String(job.id) }).first();
    expect(entry).toBeTruthy();
  });

  it('when an upload comes while an import runs, then 409 and the first one ends normally', async () => {
    const upload = () => postForm('/api/admin/imports', {}, [{ field: 'files', bytes: cadastreBytes(), name: CADASTRE, type: 'application/gzip' }], { cookie: admin });
    const first = await upload();
    expect(first.status).toBe(202);
    const second = await upload();
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('import_running');
    expect((await finished(first.body.job.id)).status).toBe('done');
    const third = await upload();
    expect(third.status).toBe(202);
    expect((await finished(third.body.job.id)).status).toBe('done');
  });

  it('when an uploaded file is malformed, then the job fails naming the file and line, and nothing is written', async () => {
    const { db } = await testContext();
    const parcels = await db.knex('parcels').count({ n: '*' });
    const res = await postForm('/api/admin/imports', {}, [{ field: 'files', bytes: Buffer.from('{"type":"FeatureCollection","features":[\n{"type":"Feature",\n"geometry": nope}]}'), name: 'cadastre-91998-parcelles.json', type: 'application/json' }], { cookie: admin });
    expect(res.status).toBe(202);
    const job = await finished(res.body.job.id);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/cadastre-91998-parcelles\.json.*ligne 3/);
    expect(await db.knex('parcels').count({ n: '*' })).toEqual(parcels);
  });

  it.each([
    ['a file name with shell characters', [{ field: 'files', bytes: Buffer.from('{}'), name: 'x;rm|y.json', type: 'text/plain' }], 400],
    ['a file in another field', [{ field: 'photo', bytes: Buffer.from('{}'), name: 'x.json', type: 'application/json' }], 400],
    ['no file', [], 400],
  ])('when the upload has %s, then 4xx naming the field and no job', async (_what, files, status) => {
    const { db } = await testContext();
    const jobs = await db.knex('import_jobs').count({ n: '*' });
    const res = await postForm('/api/admin/imports', {}, files, { cookie: admin });
    expect(res.status).toBe(status);
    expect(res.body.error.details[0].field).toBeTruthy();
    expect(await db.knex('import_jobs').count({ n: '*' })).toEqual(jobs);
  });

  it('when the upload is not multipart, then 415', async () => {
    const res = await api('/api/admin/imports', { cookie: admin, body: { files: [] } });
    expect(res.status).toBe(415);
  });
});
