/**
 * terra-draw on the MapLibre map of the calling component, for the lifetime of that component: polygon mode
 * (draw a ring, snapping), select mode (drag / insert with midpoints / delete with right click the vertices,
 * snapping too), and an undo stack of finished states. The instance stays inside this closure — never in a store;
 * the caller gets plain rings through `onRings` and commands through the returned controls.
 */
import type { Position } from 'geojson';
import type { Map as MaplibreMap } from 'maplibre-gl';
import { onBeforeUnmount } from 'vue';
import {
  TerraDraw, TerraDrawModeUndoRedo, TerraDrawPolygonMode, TerraDrawSelectMode,
  type GeoJSONStoreFeatures, type SnapToCustom,
} from 'terra-draw';
import { TerraDrawMapLibreGLAdapter } from 'terra-draw-maplibre-gl-adapter';
import type { DrawControls } from '../../composables/plannerContext';
import type { DrawMode } from '../../stores/drawing';
import { closeRing, ringsBbox, ringsOf, type Perimeter, type Ring } from '../../geometry/perimeter';
import { snapTarget, type SnapIndex } from '../../geometry/snapIndex';

export interface TerraDrawHooks {
  /** The current snapping targets (parcels, sub-sectors), null for none. */
  snapIndex: () => SnapIndex | null;
  /** Every change of the drawn rings, including the ring being drawn (whose last vertex follows the pointer). */
  onRings: (rings: Ring[], inProgress: boolean) => void;
  onMode: (mode: DrawMode) => void;
  onCanUndo: (can: boolean) => void;
  /** Padding for fitting a perimeter (the planner panel covers the right of the map). */
  fitPadding: () => { top: number; bottom: number; left: number; right: number };
}

/** Snapping radius in screen pixels. */
export const SNAP_PX = 12;
const PRECISION = 9;
const COLOR = '#7b2cbf' as const;
const round = (n: number) => Number(n.toFixed(PRECISION));

const polygonFeature = (ring: Ring): GeoJSONStoreFeatures => ({
  type: 'Feature',
  geometry: { type: 'Polygon', coordinates: [closeRing(ring).map((p) => [round(p[0]!), round(p[1]!)])] },
  properties: { mode: 'polygon' },
});

const sameRings = (a: Ring[], b: Ring[]) => JSON.stringify(a) === JSON.stringify(b);

export function useTerraDraw(map: MaplibreMap, hooks: TerraDrawHooks): DrawControls {
  /** Snapping to parcel and sub-sector outlines: nearest vertex within SNAP_PX, else nearest point of an edge. */
  const toCustom: SnapToCustom = (event, context) => {
    const index = hooks.snapIndex();
    if (!index) return undefined;
    const p = context.project(event.lng, event.lat);
    const q = context.unproject(p.x + SNAP_PX, p.y + SNAP_PX);
    const radiusDeg = Math.max(Math.abs(q.lng - event.lng), Math.abs(q.lat - event.lat));
    const target = snapTarget(index, [event.lng, event.lat], (lon, lat) => context.project(lon, lat), SNAP_PX, radiusDeg);
    return target ? [round(target[0]!), round(target[1]!)] : undefined;
  };

  const draw = new TerraDraw({
    adapter: new TerraDrawMapLibreGLAdapter({ map, coordinatePrecision: PRECISION }),
    undoRedo: { modeLevel: new TerraDrawModeUndoRedo() },
    modes: [
      new TerraDrawPolygonMode({
        snapping: { toCoordinate: true, toCustom },
        keyEvents: { cancel: null, finish: 'Enter' },
        pointerDistance: 30,
        styles: {
          fillColor: COLOR,
          fillOpacity: 0.12,
          outlineColor: COLOR,
          outlineWidth: 3,
          closingPointColor: '#ffffff',
          closingPointOutlineColor: COLOR,
          closingPointWidth: 6,
          closingPointOutlineWidth: 2,
          snappingPointColor: '#ffbf47',
          snappingPointOutlineColor: '#1b1f24',
          snappingPointWidth: 6,
          snappingPointOutlineWidth: 2,
        },
      }),
      new TerraDrawSelectMode({
        flags: {
          polygon: {
            feature: {
              draggable: false,
              selfIntersectable: true, // the crossing is shown with its location rather than refused silently
              coordinates: { draggable: true, deletable: true, midpoints: true, snappable: { toCoordinate: true, toCustom } },
            },
          },
        },
        keyEvents: { deselect: null, delete: 'Delete', rotate: null, scale: null },
        styles: {
          selectedPolygonColor: COLOR,
          selectedPolygonFillOpacity: 0.18,
          selectedPolygonOutlineColor: COLOR,
          selectedPolygonOutlineWidth: 3,
          selectionPointColor: '#ffffff',
          selectionPointOutlineColor: COLOR,
          selectionPointWidth: 6,
          selectionPointOutlineWidth: 2,
          midPointColor: COLOR,
          midPointOutlineColor: '#ffffff',
          midPointWidth: 4,
          midPointOutlineWidth: 1,
        },
      }),
    ],
  });
  draw.start();
  draw.setMode('static');

  /** Rings by feature id, as last seen (plain copies). */
  const rings = new Map<string | number, { ring: Ring; drawing: boolean }>();
  /** Finished states, oldest first; the last one is the current state. */
  let history: Ring[][] = [[]];
  let selectedId: string | number | null = null;
  let mode: DrawMode = 'off';

  const committed = () => [...rings.values()].filter((r) => !r.drawing).map((r) => r.ring);
  const emit = () => {
    const all = [...rings.values()];
    hooks.onRings(all.map((r) => r.ring), all.some((r) => r.drawing));
  };
  const canUndo = () => history.length > 1 || (mode === 'polygon' && draw.getModeState() === 'drawing' && draw.canUndo());
  const commit = () => {
    const state = committed();
    if (!sameRings(state, history[history.length - 1] ?? [])) history.push(state);
    if (history.length > 100) history = history.slice(-100);
    hooks.onCanUndo(canUndo());
  };
  const setMode = (next: DrawMode) => {
    mode = next;
    draw.setMode(next === 'off' ? 'static' : next);
    hooks.onMode(next);
  };

  const read = (id: string | number) => {
    const f = draw.getSnapshotFeature(id);
    if (!f || f.geometry.type !== 'Polygon' || f.properties.mode !== 'polygon') return false;
    rings.set(id, { ring: f.geometry.coordinates[0]!.map((p) => [p[0]!, p[1]!]), drawing: f.properties.currentlyDrawing === true });
    return true;
  };

  draw.on('change', (ids, type) => {
    if (type === 'styling') return;
    let touched = false;
    for (const id of ids) {
      if (type === 'delete') touched = rings.delete(id) || touched;
      else touched = read(id) || touched;
    }
    if (touched) emit();
    hooks.onCanUndo(canUndo());
  });
  draw.on('finish', (id, context) => {
    commit();
    // A finished ring is selected for editing; "Tracer un contour" again draws the next one (a hole, another part).
    if (context.mode === 'polygon' && context.action === 'draw') {
      setTimeout(() => {
        if (mode !== 'polygon' || !draw.hasFeature(id)) return;
        setMode('select');
        draw.selectFeature(id);
      }, 0);
    }
  });
  draw.on('select', (id) => (selectedId = id));
  draw.on('deselect', () => (selectedId = null));

  /** Replaces every ring (undo, load). */
  const replace = (next: Ring[]) => {
    const wasMode = mode;
    draw.setMode('static'); // drops the ring being drawn and the selection
    selectedId = null;
    draw.clear();
    rings.clear();
    const results = draw.addFeatures(next.map(polygonFeature));
    for (const r of results) {
      if (r.valid) read(r.id as string | number);
      else console.warn('[draw] ring refused by terra-draw:', r.reason);
    }
    emit();
    if (wasMode !== 'off') draw.setMode(wasMode);
    if (wasMode === 'select' && rings.size === 1) draw.selectFeature([...rings.keys()][0]!);
  };

  const controls: DrawControls = {
    drawRing: () => setMode('polygon'),
    editVertices() {
      setMode('select');
      const ids = [...rings.keys()];
      if (ids.length === 1) draw.selectFeature(ids[0]!);
    },
    deleteSelected() {
      if (selectedId === null || !draw.hasFeature(selectedId)) return false;
      const id = selectedId;
      draw.deselectFeature(id);
      draw.removeFeatures([id]);
      rings.delete(id);
      emit();
      commit();
      return true;
    },
    undo() {
      if (mode === 'polygon' && draw.getModeState() === 'drawing' && draw.canUndo()) {
        draw.undo();
      } else if (history.length > 1) {
        history.pop();
        replace(history[history.length - 1]!);
      }
      hooks.onCanUndo(canUndo());
    },
    cancelRing() {
      if (mode !== 'polygon') return;
      draw.setMode('static');
      for (const [id, r] of rings) if (r.drawing) rings.delete(id);
      emit();
      draw.setMode('polygon');
      hooks.onCanUndo(canUndo());
    },
    clear() {
      replace([]);
      commit();
    },
    load(geometry: Perimeter) {
      replace(ringsOf(geometry));
      history = [committed()];
      hooks.onCanUndo(false);
    },
    addRing(ring: Position[]) {
      replace([...committed(), ring]);
      commit();
    },
    center() {
      const c = map.getCenter();
      return [c.lng, c.lat];
    },
    fit(geometry: Perimeter) {
      const b = ringsBbox(ringsOf(geometry));
      if (b) map.fitBounds(b, { padding: hooks.fitPadding(), maxZoom: 18, duration: 0 });
    },
  };

  onBeforeUnmount(() => {
    draw.stop();
    rings.clear();
  });
  return controls;
}
