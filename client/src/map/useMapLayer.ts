import type { LayerSpecification, Map as MaplibreMap, SourceSpecification } from 'maplibre-gl';
import { onBeforeUnmount, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { beforeIdFor } from './layerOrder';
import { useMap } from './useMap';

/** What a layer component puts on the map: its sources and its style layers. */
export interface MapLayerDefinition {
  sources: Record<string, SourceSpecification>;
  layers: LayerSpecification[];
}

/**
 * Adds sources and layers to the map while the calling component is mounted and removes them
 * when it unmounts (so showing a layer is `v-if`). A reactive definition is re-applied when it changes.
 * @example useMapLayer(() => ({ sources: { qpv: vectorTiles('qpv') }, layers: [qpvOutline] }))
 */
export function useMapLayer(definition: MaybeRefOrGetter<MapLayerDefinition>): MaplibreMap {
  const map = useMap();
  let current: MapLayerDefinition | null = null;

  const add = (def: MapLayerDefinition) => {
    for (const [id, source] of Object.entries(def.sources)) if (!map.getSource(id)) map.addSource(id, source);
    for (const layer of def.layers) map.addLayer(layer, beforeIdFor(map, layer.id));
    current = def;
  };
  const remove = () => {
    if (!current) return;
    for (const layer of current.layers) if (map.getLayer(layer.id)) map.removeLayer(layer.id);
    for (const id of Object.keys(current.sources)) if (map.getSource(id)) map.removeSource(id);
    current = null;
  };

  watch(
    () => toValue(definition),
    (def) => {
      remove();
      add(def);
    },
    { immediate: true },
  );
  onBeforeUnmount(remove);
  return map;
}
