import { describe, expect, it } from 'vitest';
import { detectImageType, photoFileProblem, PHOTO_MAX_BYTES, PHOTO_REASONS } from '../../server/src/domain/photos.js';

describe('photo limits (shared by the server and the report form)', () => {
  it('when a chosen file is a JPEG of exactly the limit, then nothing is wrong with it', () => {
    expect(photoFileProblem({ type: 'image/jpeg', size: PHOTO_MAX_BYTES })).toBeNull();
  });

  it('when a chosen file is one byte over the limit, then it is too large', () => {
    expect(photoFileProblem({ type: 'image/webp', size: PHOTO_MAX_BYTES + 1 })).toBe('tooLarge');
  });

  it('when a chosen file declares a type that is not accepted, then its type is named, whatever its size', () => {
    expect(photoFileProblem({ type: 'image/gif', size: 10 })).toBe('type');
    expect(photoFileProblem({ type: '', size: PHOTO_MAX_BYTES + 1 })).toBe('type');
  });

  it('when the message of a too large photo is read, then it says the limit in megabytes', () => {
    expect(PHOTO_REASONS.tooLarge).toContain(`${PHOTO_MAX_BYTES / 1024 / 1024} Mo`);
  });

  it('when the first bytes are a JPEG, PNG or WebP signature, then the type comes from them; otherwise null', () => {
    expect(detectImageType(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(detectImageType(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe('image/png');
    expect(detectImageType(new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 '))).toBe('image/webp');
    expect(detectImageType(new TextEncoder().encode('%PDF-1.7'))).toBeNull();
  });
});
