import { describe, expect, it } from 'vitest';
import { tileUrls } from '../../client/src/offline/tiles.js';

describe('tiles for the field', () => {
  it('when a small area is prepared, then every zoom of each layer is covered, the tile under the area included', () => {
    const urls = tileUrls([2.36, 48.7, 2.361, 48.701], [{ layer: 'qpv', minzoom: 12, maxzoom: 14 }], 0);
    expect(urls).toContain('/api/tiles/qpv/14/8299/5647.mvt');
    expect(new Set(urls.map((u) => u.split('/')[4]))).toEqual(new Set(['12', '13', '14']));
  });
});
