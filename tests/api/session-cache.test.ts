import { beforeAll, describe, expect, it, vi } from 'vitest';
import { hashPassword } from '../../server/src/auth/passwords.js';
import { upsertUser } from '../../server/src/data/users.js';
import { testContext } from '../support/context.js';
import { api, login } from '../support/http.js';

// The session middleware keeps session → user for a few seconds (server/src/auth/middleware.ts). These tests prove
// that it serves repeated requests without the session query, and that logout, a deleted session or a deactivated
// account still take effect on the very next request.

const EMAIL = 'session-cache@test.gup';
const PASSWORD = 'session-cache-2026';

/** Session queries (sessions ⋈ users) the server runs while `fn` runs. */
async function sessionQueries(fn: () => Promise<void>): Promise<number> {
  const { db } = await testContext();
  let n = 0;
  const listener = (q: { sql?: string }) => { if (/from "sessions" as "s"/i.test(q.sql ?? '')) n++; };
  db.knex.on('query', listener);
  try {
    await fn();
  } finally {
    db.knex.off('query', listener);
  }
  return n;
}

describe('session cache', () => {
  beforeAll(async () => {
    const { db } = await testContext();
    await upsertUser(db.knex, { email: EMAIL, name: 'Session cache', role: 'gup_officer', passwordHash: await hashPassword(PASSWORD) });
  });

  it('when the same session calls the API again, then the session is not queried again', async () => {
    const cookie = await login(EMAIL, { password: PASSWORD, fresh: true });
    // the cache is not filled while a write to sessions or users is in flight (its rule); other test files share this
    // database and may have left one ending (a transaction's end is awaited up to 60 s): wait until none is
    const { db } = await testContext();
    await vi.waitFor(() => expect(db.sessions.pending).toBe(0), { timeout: 65_000, interval: 50 });
    const queries = await sessionQueries(async () => {
      for (let i = 0; i < 5; i++) expect((await api('/api/auth/me', { cookie })).status).toBe(200);
    });
    expect(queries).toBeLessThanOrEqual(1);
  }, 90_000);

  it('when a user logs out, then the very next request with the session cookie answers 401', async () => {
    const cookie = await login(EMAIL, { password: PASSWORD, fresh: true });
    // warm the cache on two routes behind the session
    expect((await api('/api/auth/me', { cookie })).status).toBe(200);
    expect((await api('/api/territory', { cookie })).status).toBe(200);
    expect((await api('/api/auth/me', { cookie })).status).toBe(200);
    expect((await api('/api/auth/logout', { method: 'POST', cookie })).status).toBe(204);
    const me = await api('/api/auth/me', { cookie });
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe('unauthenticated');
    expect((await api('/api/territory', { cookie })).status).toBe(401);
  });

  it('when logout happens while other requests of the session are in flight, then none of them revives the session', async () => {
    const cookie = await login(EMAIL, { password: PASSWORD, fresh: true });
    expect((await api('/api/auth/me', { cookie })).status).toBe(200);
    const inFlight = Array.from({ length: 10 }, () => api('/api/auth/me', { cookie }));
    expect((await api('/api/auth/logout', { method: 'POST', cookie })).status).toBe(204);
    await Promise.all(inFlight);
    expect((await api('/api/auth/me', { cookie })).status).toBe(401);
  });

  it('when a session is deleted or the account deactivated in the database through the server, then it takes effect at once', async () => {
    const { db } = await testContext();
    const cookie = await login(EMAIL, { password: PASSWORD, fresh: true });
    expect((await api('/api/auth/me', { cookie })).status).toBe(200);
    try {
      await db.knex('users').where({ email: EMAIL }).update({ active: false });
      expect((await api('/api/auth/me', { cookie })).status).toBe(401);
    } finally {
      await db.knex('users').where({ email: EMAIL }).update({ active: true });
    }
    expect((await api('/api/auth/me', { cookie })).status).toBe(200);
    // a role change made in a transaction is seen once it commits
    await db.knex.transaction(async (trx) => { await trx('users').where({ email: EMAIL }).update({ role: 'planner' }); });
    expect((await api('/api/auth/me', { cookie })).body.user.role).toBe('planner');
    await db.knex('sessions').delete().whereIn('user_id', db.knex('users').select('id').where({ email: EMAIL }));
    expect((await api('/api/auth/me', { cookie })).status).toBe(401);
  });
});
