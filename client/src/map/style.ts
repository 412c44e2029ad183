import type { StyleSpecification } from 'maplibre-gl';

/** Background shown where there is no basemap (offline, tests) and under transparent areas. */
export const BACKGROUND_COLOR = '#eef0eb';

/**
 * The map style, built in code: a plain background only. The basemap and every data layer are
 * added by their own components. No `glyphs`: text labels would need a remote font download,
 * so names are shown in the panel and the legend instead.
 */
export function baseStyle(): StyleSpecification {
  return {
    version: 8,
    sources: {},
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': BACKGROUND_COLOR } }],
  };
}
