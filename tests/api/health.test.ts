import { describe, expect, it } from 'vitest';
import { api, login } from '../support/http.js';

describe('health', () => {
  it('when an anonymous caller asks, then it gets the status only: no engine, no versions', async () => {
    const res = await api('/api/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('when a signed-in non-admin asks, then it gets the status only too', async () => {
    const res = await api('/api/health', { cookie: await login('gup@demo.gup') });
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('when a signed-in admin asks, then it says which database engine and PostGIS version serve the app', async () => {
    const res = await api('/api/health', { cookie: await login('admin@demo.gup') });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.database).toBe(process.env.DATABASE_URL ? 'postgres' : 'embedded');
    expect(res.body.postgis).toMatch(/^3\.\d+/);
  });

  it('when an admin asks with a personal API token, then the one session check of every route recognises them (review finding: health read the cookie only)', async () => {
    const created = await api('/api/auth/tokens', { cookie: await login('admin@demo.gup'), body: { label: 'supervision' } });
    expect(created.status).toBe(201);
    const res = await api('/api/health', { headers: { authorization: `Bearer ${created.body.token}` } });
    expect(res.status).toBe(200);
    expect(res.body.database).toBe(process.env.DATABASE_URL ? 'postgres' : 'embedded');
  });

  it('when a non-admin asks with a personal API token, then it still gets the status only', async () => {
    const created = await api('/api/auth/tokens', { cookie: await login('urbaniste@demo.gup'), body: { label: 'supervision' } });
    expect((await api('/api/health', { headers: { authorization: `Bearer ${created.body.token}` } })).body).toEqual({ status: 'ok' });
  });
});
