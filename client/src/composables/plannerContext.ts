/**
 * What the planner's map components and panel share without a store (STYLE: the terra-draw instance, like the
 * map, is never in Pinia): the drawing controls registered by the renderless <PerimeterDraw> while it is mounted,
 * and the land cache around the drawing. Provided once by the map view, injected by both sides.
 */
import type { Position } from 'geojson';
import { inject, provide, shallowRef, type InjectionKey, type ShallowRef } from 'vue';
import type { Perimeter } from '../geometry/perimeter';
import { createLandCache, type LandCache } from './useLand';

/** Commands of the drawing tool, available while <PerimeterDraw> is on the map. */
export interface DrawControls {
  /** Draw a new ring with the pointer (a ring inside another one is a hole). */
  drawRing(): void;
  /** Move, insert (midpoints) and delete (right click) vertices of the drawn rings. */
  editVertices(): void;
  /** Deletes the selected ring; false when none is selected. */
  deleteSelected(): boolean;
  /** Undoes the last change (a vertex while drawing a ring, else the last finished change). */
  undo(): void;
  /** Abandons the ring being drawn (Escape). */
  cancelRing(): void;
  /** Removes every ring. */
  clear(): void;
  /** Replaces the drawing with a perimeter (edit of a sub-sector, import). */
  load(geometry: Perimeter): void;
  /** Adds a ring placed with the keyboard. */
  addRing(ring: Position[]): void;
  /** Keyboard drawing: the map centre, to add as a vertex. */
  center(): Position;
  /** Moves the map to show a perimeter. */
  fit(geometry: Perimeter): void;
}

export interface PlannerContext {
  draw: ShallowRef<DrawControls | null>;
  land: LandCache;
}

const KEY: InjectionKey<PlannerContext> = Symbol('gup-planner');

/** Creates and provides the planner context (called by the map view). */
export function providePlanner(): PlannerContext {
  const context: PlannerContext = { draw: shallowRef(null), land: createLandCache() };
  provide(KEY, context);
  return context;
}

/** The planner context provided by the map view. */
export function usePlanner(): PlannerContext {
  const context = inject(KEY, null);
  if (!context) throw new Error('usePlanner() needs providePlanner() in an ancestor (MapView)');
  return context;
}
