import { onBeforeUnmount, watch } from 'vue';
import { onBeforeRouteLeave, useRoute, useRouter } from 'vue-router';
import { useMapViewStore } from './mapView';
import { useSelectionStore } from './selection';
import { formatViewQuery, parseViewQuery } from './urlState';

const WRITE_DELAY_MS = 300;

/**
 * Keeps the map view and the selection in the URL query, both ways:
 * reads it once when the map view opens (reload, shared link), then writes every change
 * with `router.replace` (no history entry per pan), debounced.
 */
export function useUrlSync(): void {
  const route = useRoute();
  const router = useRouter();
  const view = useMapViewStore();
  const selection = useSelectionStore();

  const initial = parseViewQuery(route.query);
  if (initial.center && initial.zoom !== null) view.setView(initial.center, initial.zoom);
  if (initial.layers) view.setLayers(initial.layers);
  if (initial.selection) void selection.select(initial.selection);
  else selection.clear();

  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Set while a navigation away from the map is under way: a write then would cancel it (router.replace). */
  let leaving = false;
  const write = () => {
    timer = undefined;
    if (leaving) return;
    const query = formatViewQuery(
      { center: view.center, zoom: view.zoom, layers: view.layers, selection: selection.point },
      route.query,
    );
    void router.replace({ query });
  };
  watch(
    () => [view.center, view.zoom, view.layers, selection.point] as const,
    () => {
      clearTimeout(timer);
      timer = setTimeout(write, WRITE_DELAY_MS);
    },
  );
  // Leaving the map (header link…): no write until the navigation succeeds (unmount) or fails (back to syncing).
  onBeforeRouteLeave(() => {
    leaving = true;
    clearTimeout(timer);
  });
  const stopAfterEach = router.afterEach((_to, _from, failure) => {
    if (failure && leaving) {
      leaving = false;
      write();
    }
  });
  onBeforeUnmount(() => {
    clearTimeout(timer);
    stopAfterEach();
  });
}
