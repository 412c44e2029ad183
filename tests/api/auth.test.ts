import { describe, expect, it } from 'vitest';
import { api, DEMO_PASSWORD, login } from '../support/http.js';

describe('accounts and sessions', () => {
  it('when a demo account logs in with the demo password, then it gets an httpOnly session cookie and /me names it', async () => {
    const res = await api('/api/auth/login', { body: { email: 'urbaniste@demo.gup', password: 'demo-gup-2026' } });
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^gup_session=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const me = await api('/api/auth/me', { cookie: setCookie.split(';')[0] });
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ email: 'urbaniste@demo.gup', role: 'planner' });
    expect(me.body.user.passwordHash).toBeUndefined();
  });

  it('when the password is wrong or the account unknown, then both get the same generic 401', async () => {
    const wrong = await api('/api/auth/login', { body: { email: 'gup@demo.gup', password: 'nope-nope' } });
    const unknown = await api('/api/auth/login', { body: { email: 'personne@demo.gup', password: 'nope-nope' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.headers.get('set-cookie')).toBeNull();
  });

  it('when the login body is malformed, then 400 names the field', async () => {
    const res = await api('/api/auth/login', { body: { email: 'not-an-email', password: '' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(expect.arrayContaining(['email', 'password']));
    const broken = await api('/api/auth/login', { raw: '{"email":', headers: { 'content-type': 'application/json' }, method: 'POST' });
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe('invalid_json');
  });

  it('when a user logs out, then the session no longer opens the API', async () => {
    const cookie = await login('mairie.juvisy@demo.gup', { fresh: true });
    expect((await api('/api/auth/me', { cookie })).status).toBe(200);
    expect((await api('/api/auth/logout', { method: 'POST', cookie })).status).toBe(204);
    const after = await api('/api/auth/me', { cookie });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('unauthenticated');
  });

  it('when a browser holding a session signs in again (same or another account), then its former session ends on the server', async () => {
    const former = await login('mairie.juvisy@demo.gup', { fresh: true });
    expect((await api('/api/auth/me', { cookie: former })).status).toBe(200);
    const again = await api('/api/auth/login', { cookie: former, body: { email: 'mairie.athis@demo.gup', password: DEMO_PASSWORD } });
    expect(again.status).toBe(200);
    const fresh = (again.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect(fresh).toMatch(/^gup_session=/);
    expect(fresh).not.toBe(former);
    expect((await api('/api/auth/me', { cookie: former })).status).toBe(401);
    expect((await api('/api/auth/me', { cookie: fresh })).body.user.email).toBe('mairie.athis@demo.gup');
  });

  it('when there is no session, then every API route but health and login answers 401', async () => {
    for (const path of ['/api/auth/me', '/api/parcels/910270000A0020', '/api/anything']) {
      const res = await api(path);
      expect(res.status, path).toBe(401);
    }
    const forged = await api('/api/auth/me', { cookie: 'gup_session=forged-token' });
    expect(forged.status).toBe(401);
    expect((await api('/api/health')).status).toBe(200);
  });

  it('when someone keeps guessing a password, then the login is rate-limited with 429', async () => {
    const email = 'guesser@demo.gup'; // an address no other test logs in with: the lock lasts 15 minutes on the shared server
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await api('/api/auth/login', { body: { email, password: `guess-${i}` } })).status);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });
});
