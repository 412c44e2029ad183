import { beforeAll, describe, expect, it } from 'vitest';
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

/** The test account back to its role, signed in afresh, its cookie checked once (the cache then holds it). */
async function freshOfficer(): Promise<string> {
  const { db } = await testContext();
  await db.knex('users').where({ email: EMAIL }).update({ role: 'gup_officer' });
  const cookie = await login(EMAIL, { password: PASSWORD, fresh: true });
  expect((await api('/api/auth/me', { cookie })).body.user.role).toBe('gup_officer');
  return cookie;
}

describe('session cache', () => {
  beforeAll(async () => {
    const { db } = await testContext();
    await upsertUser(db.knex, { email: EMAIL, name: 'Session cache', role: 'gup_officer', passwordHash: await hashPassword(PASSWORD) });
  });

  it('when the same session calls the API again, then the session is not queried again', async () => {
    const cookie = await login(EMAIL, { password: PASSWORD, fresh: true });
    const queries = await sessionQueries(async () => {
      for (let i = 0; i < 5; i++) expect((await api('/api/auth/me', { cookie })).status).toBe(200);
    });
    expect(queries).toBeLessThanOrEqual(1);
  });

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
  it('when a transaction that wrote users ends by an error (rollback), then the very next session checks are served from the cache again', async () => {
    const { db } = await testContext();
    await db.knex('users').where({ email: EMAIL }).update({ role: 'gup_officer' }); // as a previous test may have left it
    const cookie = await login(EMAIL, { password: PASSWORD, fresh: true });
    expect((await api('/api/auth/me', { cookie })).status).toBe(200);
    // thrown by the code inside the transaction, then by the database itself
    await expect(db.knex.transaction(async (trx) => {
      await trx('users').where({ email: EMAIL }).update({ role: 'planner' });
      throw new Error('abandoned');
    })).rejects.toThrow('abandoned');
    await expect(db.knex.transaction(async (trx) => {
      await trx('users').where({ email: EMAIL }).update({ role: 'planner' });
      await trx.raw('SELECT 1 / 0');
    })).rejects.toThrow(/division by zero/);
    const queries = await sessionQueries(async () => {
      for (let i = 0; i < 5; i++) expect((await api('/api/auth/me', { cookie })).body.user.role).toBe('gup_officer');
    });
    expect(queries).toBeLessThanOrEqual(1);
  });

  it('when a transaction changes a role inside a savepoint and commits, then the next request sees it and the cache works again at once', async () => {
    const { db } = await testContext();
    const cookie = await freshOfficer();
    try {
      await db.knex.transaction(async (trx) => {
        await trx.transaction(async (savepoint) => { await savepoint('users').where({ email: EMAIL }).update({ role: 'planner' }); });
      });
      const queries = await sessionQueries(async () => {
        for (let i = 0; i < 5; i++) expect((await api('/api/auth/me', { cookie })).body.user.role).toBe('planner');
      });
      expect(queries).toBeLessThanOrEqual(1);
    } finally {
      await db.knex('users').where({ email: EMAIL }).update({ role: 'gup_officer' });
    }
  });

  it('when a transaction writes users after a savepoint, then its commit is seen on the next request (on PostgreSQL, with the session checked from another connection while it is open)', async () => {
    const { db } = await testContext();
    const cookie = await freshOfficer();
    try {
      await db.knex.transaction(async (trx) => {
        await trx.transaction(async (savepoint) => { await savepoint.raw('SELECT 1'); });
        await trx('users').where({ email: EMAIL }).update({ role: 'planner' });
        // the embedded database has one connection, held by this transaction: a session check would wait for its end
        if (db.engine === 'postgres') expect((await api('/api/auth/me', { cookie })).body.user.role).toBe('gup_officer');
      });
      expect((await api('/api/auth/me', { cookie })).body.user.role).toBe('planner');
    } finally {
      await db.knex('users').where({ email: EMAIL }).update({ role: 'gup_officer' });
    }
  });
  it('when a transaction that changed a role is still open, then the cache keeps serving the committed user, and the change is seen on the request after its commit (on PostgreSQL, with the session checked while it is open)', async () => {
    const { db } = await testContext();
    const cookie = await freshOfficer();
    const trx = await db.knex.transaction();
    try {
      await trx('users').where({ email: EMAIL }).update({ role: 'planner' });
      // the embedded database has one connection, held by this transaction: a session check would wait for its end
      if (db.engine === 'postgres') {
        const queries = await sessionQueries(async () => {
          for (let i = 0; i < 5; i++) expect((await api('/api/auth/me', { cookie })).body.user.role).toBe('gup_officer');
        });
        expect(queries).toBeLessThanOrEqual(1);
      }
      await trx.commit();
      expect((await api('/api/auth/me', { cookie })).body.user.role).toBe('planner');
    } finally {
      if (!trx.isCompleted()) await trx.rollback();
      await db.knex('users').where({ email: EMAIL }).update({ role: 'gup_officer' });
    }
  });
});
