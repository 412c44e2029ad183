/**
 * A fresh Idempotency-Key (UUID v4) for one form submission; the caller reuses it when retrying the same
 * submission. `crypto.randomUUID` exists only in secure contexts (HTTPS, localhost): elsewhere (an intranet
 * served over plain HTTP) the key is built from `crypto.getRandomValues`, available everywhere.
 */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function' && window.isSecureContext) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
