import { describe, expect, it } from 'vitest';
import { isOneLine, oneLine } from '../../server/src/domain/text.js';

const BREAKING = ['a\r\nb', 'a\nb', 'a\rb', 'a\tb', 'a\u0000b', 'a\u0085b', 'a\u2028b', 'a\u2029b', 'a\u001bb'];

describe('one-line text (e-mail subjects, file names)', () => {
  it('when a text holds a line break or a control character, then it is not one line, and oneLine turns each run of them into one space', () => {
    for (const text of BREAKING) {
      expect(isOneLine(text), JSON.stringify(text)).toBe(false);
      expect(oneLine(text), JSON.stringify(text)).toBe('a b');
      expect(isOneLine(oneLine(text)), JSON.stringify(text)).toBe(true);
    }
    expect(oneLine('Propreté\r\n\r\nBcc: tous@example.org')).toBe('Propreté Bcc: tous@example.org');
  });

  it('when a text is on one line (accents, non-breaking spaces, guillemets), then it is one line and oneLine leaves it as it is', () => {
    for (const text of ['Espaces verts — secteur Nord', 'Fiche « Propreté » à vérifier', '24\u00a0h', 'EPT 12']) {
      expect(isOneLine(text)).toBe(true);
      expect(oneLine(text)).toBe(text);
    }
  });
});
