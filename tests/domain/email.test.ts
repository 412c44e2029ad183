import { describe, expect, it } from 'vitest';
import { assertedEmail, normalizeEmail } from '../../server/src/domain/email.js';

describe('the e-mail an identity provider asserts (assertedEmail)', () => {
  it('when it differs from an account\'s by case and spaces or invisible characters around, then it is that account\'s spelling', () => {
    expect(assertedEmail(' Agent@X.fr ')).toBe('agent@x.fr');
    expect(assertedEmail('\u00a0Agent@X.fr\u200b')).toBe(normalizeEmail('Agent@X.fr'));
    expect(assertedEmail('agent.élu@mairie.fr')).toBe('agent.élu@mairie.fr');
    expect(assertedEmail('agent.e\u0301lu@mairie.fr')).toBe('agent.élu@mairie.fr'); // the same letter, decomposed
  });

  it('when it is a look-alike that compatibility normalisation would fold onto another address, then it names no account', () => {
    expect(normalizeEmail('ａｇｅｎｔ@x.fr')).toBe('agent@x.fr'); // what the login's rule would have matched
    expect(assertedEmail('ａｇｅｎｔ@x.fr')).toBeNull();
    expect(assertedEmail('o\ufb03ce@x.fr')).toBeNull(); // the "ffi" ligature
    expect(assertedEmail('agent@x.\u24bbr')).toBeNull(); // a circled letter
  });

  it('when it is not one plain address, then null', () => {
    for (const claim of [undefined, null, 42, ['agent@x.fr'], { email: 'agent@x.fr' }, '', '   ', 'agent', 'a@b@c.fr', '@x.fr', 'agent@',
      'agent@x.fr\u0000', 'agent\n@x.fr', 'ag ent@x.fr', `${'a'.repeat(400)}@x.fr`]) {
      expect(assertedEmail(claim), JSON.stringify(claim)).toBeNull();
    }
  });
});
