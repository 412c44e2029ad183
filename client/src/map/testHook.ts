import type { Map as MaplibreMap } from 'maplibre-gl';

/**
 * Read-only hook for the browser tests, and nothing else: `window.__gup.project(lon, lat)` gives the
 * viewport pixel (CSS px, relative to the page) of a coordinate, so a test can click "a spot in that
 * parcel" like a user would. It exposes no map object and cannot change anything.
 */
export interface GupTestHook {
  project(lon: number, lat: number): { x: number; y: number };
}

declare global {
  interface Window {
    __gup?: GupTestHook;
  }
}

/** Installs the hook for a map; returns the uninstall function. */
export function installTestHook(map: MaplibreMap): () => void {
  const hook: GupTestHook = Object.freeze({
    project(lon: number, lat: number) {
      const rect = map.getContainer().getBoundingClientRect();
      const p = map.project([lon, lat]);
      return { x: rect.left + p.x, y: rect.top + p.y };
    },
  });
  Object.defineProperty(window, '__gup', { value: hook, configurable: true, enumerable: false, writable: false });
  return () => {
    if (window.__gup === hook) delete window.__gup;
  };
}
