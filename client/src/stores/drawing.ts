import type { Position } from 'geojson';
import { defineStore } from 'pinia';
import type { GeometryCheck } from '@gup/server/domain';
import { checkDrawing, type Perimeter, type Ring } from '../geometry/perimeter';

/** What the drawing tool does: nothing (`off`), drawing a new ring (`polygon`), moving vertices (`select`). */
export type DrawMode = 'off' | 'polygon' | 'select';

/** A geometry problem to show: the shared rule's reason (or the server's), its message and where it is. */
export interface GeometryProblem {
  reason: string;
  message: string;
  location: Position | null;
  /** `client`: found while drawing; `server`: the server refused the perimeter. */
  source: 'client' | 'server';
}

interface DrawingState {
  /** Whether a drawing session is open (a new sub-sector or the edit of one). */
  active: boolean;
  /** Perimeter to start from (the edited sub-sector's, or an imported outline), frozen; null to draw from scratch. */
  initial: Perimeter | null;
  /** Current mode of the drawing tool (the terra-draw instance itself lives in a map component, never here). */
  mode: DrawMode;
  /** Drawn rings (each a closed terra-draw polygon, shells and holes alike), frozen: plain data, not made reactive deeply. */
  rings: readonly Ring[];
  /** The perimeter made of the rings (holes by nesting), frozen; null while nothing is drawn. */
  perimeter: Perimeter | null;
  /** Whether a ring is being drawn right now (its last vertex follows the pointer). */
  inProgress: boolean;
  /** Client-side validity of `perimeter` (shared rule), null when nothing is drawn. */
  problem: GeometryProblem | null;
  /** Server-side refusal of the last save (422 `invalid_geometry`), cleared by the next change. */
  serverProblem: GeometryProblem | null;
  /** Whether the undo button has something to undo. */
  canUndo: boolean;
  /** Vertices placed with the keyboard (map centre + Enter), before the ring is closed. */
  keyboardRing: Position[];
  /** Sub-sector being edited; null for a new one. */
  editingId: number | null;
}

const freeze = <T>(value: T): T => {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(freeze);
    Object.freeze(value);
  }
  return value;
};

/** The perimeter being drawn, as plain data (rings, combined geometry, validity). */
export const useDrawingStore = defineStore('drawing', {
  state: (): DrawingState => ({
    active: false,
    initial: null,
    mode: 'off',
    rings: [],
    perimeter: null,
    inProgress: false,
    problem: null,
    serverProblem: null,
    canUndo: false,
    keyboardRing: [],
    editingId: null,
  }),
  getters: {
    /** The problem to show: the server's verdict on the last save, else the live check. */
    shownProblem: (s): GeometryProblem | null => s.serverProblem ?? s.problem,
    /** A perimeter that may be sent to the server. */
    savable: (s): boolean => s.perimeter !== null && s.problem === null && !s.inProgress,
  },
  actions: {
    /** Records the rings after a change in the drawing tool and checks the perimeter they make. */
    setRings(rings: Ring[], inProgress: boolean): void {
      const { perimeter, check } = checkDrawing(rings);
      this.rings = freeze(rings);
      this.perimeter = freeze(perimeter);
      this.inProgress = inProgress;
      this.serverProblem = null;
      this.problem = check && !check.valid
        ? { reason: check.reason, message: check.message, location: check.location ?? null, source: 'client' }
        : null;
    },
    setMode(mode: DrawMode): void {
      this.mode = mode;
    },
    setCanUndo(value: boolean): void {
      this.canUndo = value;
    },
    /** The server refused the perimeter (422): show its reason and location. */
    setServerProblem(problem: Omit<GeometryProblem, 'source'> | null): void {
      this.serverProblem = problem ? { ...problem, source: 'server' } : null;
    },
    addKeyboardVertex(p: Position): void {
      this.keyboardRing = [...this.keyboardRing, [p[0]!, p[1]!]];
    },
    clearKeyboardRing(): void {
      this.keyboardRing = [];
    },
    /** Starts a drawing session: a new sub-sector (null) or the edit of one, from a perimeter or from scratch. */
    begin(editingId: number | null, initial: Perimeter | null = null): void {
      this.$reset();
      this.active = true;
      this.editingId = editingId;
      this.initial = freeze(initial);
    },
    /** Ends the drawing session. */
    end(): void {
      this.$reset();
    },
  },
});
