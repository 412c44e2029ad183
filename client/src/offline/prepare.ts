/**
 * "Préparer pour le terrain": the app (the service worker's precache), the session (IndexedDB) and the map tiles of
 * its area (the service worker's tile cache, read when the network is gone) are put on the phone.
 */
import { fetchDiagnostic } from '../api/diagnostics';
import { savePreparedSession } from './db';
import { FIELD_TILES, tileUrls } from './tiles';

/** The cache the service worker reads tiles from (vite.config.ts, runtimeCaching). */
export const TILE_CACHE = 'gup-tiles';
/** The cache of the few API answers the app needs to start offline (who is signed in, the territory). */
export const API_CACHE = 'gup-api';

export async function prepareForField(id: number): Promise<{ tiles: number }> {
  if ('serviceWorker' in navigator) await navigator.serviceWorker.ready; // the app itself is cached once it is active
  const details = await fetchDiagnostic(id);
  const urls = tileUrls(details.bbox, FIELD_TILES).map((u) => `${window.location.origin}${u}`);
  const cache = await caches.open(TILE_CACHE);
  await Promise.all(urls.map(async (url) => {
    const res = await fetch(url, { credentials: 'same-origin', cache: 'no-cache' });
    if (res.ok) await cache.put(url, res);
  }));
  // what the app asks at start, kept for an offline start
  const api = await caches.open(API_CACHE);
  await Promise.all(['/api/auth/me', '/api/territory'].map(async (path) => {
    const res = await fetch(path, { credentials: 'same-origin' });
    if (res.ok) await api.put(`${window.location.origin}${path}`, res);
  }));
  await savePreparedSession({ id, details, preparedAt: new Date().toISOString(), tiles: urls.length });
  return { tiles: urls.length };
}

/** Sign-out: the cached answers of this user leave the device. */
export async function forgetOfflineAnswers(): Promise<void> {
  if (typeof caches === 'undefined') return;
  await Promise.all([caches.delete(API_CACHE), caches.delete(TILE_CACHE)]);
}
