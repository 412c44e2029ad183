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
});
