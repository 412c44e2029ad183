import { describe, expect, it } from 'vitest';
import { api } from '../support/http.js';

describe('health', () => {
  it('when asked, then it says which database engine and PostGIS version serve the app', async () => {
    const res = await api('/api/health');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.database).toBe(process.env.DATABASE_URL ? 'postgres' : 'embedded');
    expect(res.body.postgis).toMatch(/^3\.\d+/);
  });
});
