import { describe, expect, it } from 'vitest';
import { bearerToken, newApiToken } from '../../server/src/auth/tokens.js';

describe('reading a personal API token from an Authorization header', () => {
  const token = `gup_pat_${'A1-_'.repeat(10)}abc`;

  it('when the header carries a well-formed GUP token, then it is read whatever the case of the scheme and the spaces', () => {
    expect(bearerToken(`Bearer ${token}`)).toBe(token);
    expect(bearerToken(`bearer   ${token}  `)).toBe(token);
    expect(bearerToken(`BEARER\t${token}`)).toBe(token);
  });

  it('when a GUP token is malformed (length, characters, two tokens), then it is refused (null), never looked up', () => {
    for (const value of ['gup_pat_', 'gup_pat_short', `${token}x`, `${token.slice(0, -1)}!`, `${token} ${token}`, `${token.slice(0, -1)}\u0000`, `gup_pat_${'a'.repeat(100_000)}`]) {
      expect(bearerToken(`Bearer ${value}`), value.slice(0, 30)).toBeNull();
    }
  });

  it('when there is no header, another scheme, or a Bearer value that is not GUP\'s, then it is not a token (undefined)', () => {
    for (const header of [undefined, '', 'Basic dXNlcjpwdw==', 'Bearer', 'Bearer ', 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.x', `Token ${token}`, `xBearer ${token}`]) {
      expect(bearerToken(header), String(header)).toBeUndefined();
    }
  });

  it('when tokens are made, then each is the prefix and 43 base64url characters, and they differ', () => {
    const a = newApiToken();
    const b = newApiToken();
    expect(a).toMatch(/^gup_pat_[A-Za-z0-9_-]{43}$/);
    expect(bearerToken(`Bearer ${a}`)).toBe(a);
    expect(a).not.toBe(b);
  });
});
