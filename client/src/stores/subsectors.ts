import type { FeatureCollection } from 'geojson';
import { defineStore } from 'pinia';
import * as api from '../api/subsectors';
import { ApiError } from '../api/http';
import type { OutcomeChange, Perimeter, SubsectorFeature, SubsectorText, VersionFeature } from '../api/subsectors';

type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

/** Why the last save or import failed, in the terms the UI needs. */
export interface SaveError {
  status: number;
  code: string;
  message: string;
  /** 409: the active sub-sectors the perimeter overlaps (the planner may save anyway). */
  overlapping: { id: number; name: string; m2: number }[];
  /** 422: the geometry rule broken, and where. */
  reason: string | null;
  location: [number, number] | null;
}

interface SubsectorsState {
  /** Whether the planner panel is open (URL `plan=1`). */
  open: boolean;
  /** Active sub-sectors (current state, with geometry), sorted by name. */
  list: SubsectorFeature[];
  listStatus: LoadStatus;
  /** Outcome flips after re-imports, for the planners to review. */
  changes: OutcomeChange[];
  changesStatus: LoadStatus;
  /** The sub-sector shown in detail (URL `ss=<id>`), null for none. */
  selectedId: number | null;
  /** Its versions, newest first (loaded with the selection). */
  versions: VersionFeature[];
  versionsStatus: LoadStatus;
  /** Previous perimeters drawn on the map (dashed) for the selected sub-sector. */
  showHistory: boolean;
  saving: boolean;
  saveError: SaveError | null;
  /** Increases whenever sub-sectors change on the server, so the map reloads its sub-sector tiles. */
  revision: number;
  /** Message of the last successful action (saved, archived, imported…), for a polite live region. */
  notice: string;
}

function toSaveError(err: unknown): SaveError {
  if (!(err instanceof ApiError)) throw err;
  const details = (err.details ?? {}) as Partial<api.OverlapDetails & api.GeometryErrorDetails>;
  const loc = Array.isArray(details.location) && details.location.length >= 2 ? [Number(details.location[0]), Number(details.location[1])] as [number, number] : null;
  return {
    status: err.status,
    code: err.code,
    message: err.message,
    overlapping: err.code === 'overlap' && Array.isArray(details.overlapping) ? details.overlapping : [],
    reason: typeof details.reason === 'string' ? details.reason : null,
    location: loc,
  };
}

/** Sub-sectors as the server knows them: list, selection with its history, and the write actions. Plain data. */
export const useSubsectorsStore = defineStore('subsectors', {
  state: (): SubsectorsState => ({
    open: false,
    list: [],
    listStatus: 'idle',
    changes: [],
    changesStatus: 'idle',
    selectedId: null,
    versions: [],
    versionsStatus: 'idle',
    showHistory: true,
    saving: false,
    saveError: null,
    revision: 0,
    notice: '',
  }),
  getters: {
    selected: (s): SubsectorFeature | null => s.list.find((f) => f.id === s.selectedId) ?? null,
    /** Versions before the current one, for the dashed outlines. */
    previousVersions: (s): VersionFeature[] => s.versions.slice(1).filter((v) => v.properties.change !== 'archived'),
  },
  actions: {
    setOpen(open: boolean): void {
      this.open = open;
      if (!open) this.select(null);
    },
    async loadList(): Promise<void> {
      this.listStatus = 'loading';
      try {
        this.list = (await api.listSubsectors('active')).map((f) => Object.freeze(f) as SubsectorFeature);
        this.listStatus = 'ready';
      } catch (err) {
        if (err instanceof ApiError) this.listStatus = 'error';
        else throw err;
      }
    },
    async loadChanges(): Promise<void> {
      this.changesStatus = 'loading';
      try {
        this.changes = await api.fetchChanges();
        this.changesStatus = 'ready';
      } catch (err) {
        if (err instanceof ApiError) this.changesStatus = 'error';
        else throw err;
      }
    },
    /** Shows one sub-sector (and loads its history), or none. */
    select(id: number | null): void {
      if (id === this.selectedId) return;
      this.selectedId = id;
      this.versions = [];
      this.versionsStatus = 'idle';
      if (id !== null) void this.loadVersions(id);
    },
    async loadVersions(id: number): Promise<void> {
      this.versionsStatus = 'loading';
      try {
        const versions = await api.fetchVersions(id);
        if (this.selectedId !== id) return;
        this.versions = versions.map((v) => Object.freeze(v));
        this.versionsStatus = 'ready';
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        if (this.selectedId === id) this.versionsStatus = 'error';
      }
    },
    clearSaveError(): void {
      this.saveError = null;
    },
    /**
     * Creates (id null) or edits a sub-sector; the server computes the authoritative result.
     * Returns the saved feature, or null with `saveError` set (409 overlap, 422 invalid geometry…).
     */
    async save(id: number | null, geometry: Perimeter, text: SubsectorText, allowOverlap = false): Promise<SubsectorFeature | null> {
      this.saving = true;
      this.saveError = null;
      try {
        const saved = id === null ? await api.createSubsector(geometry, text, allowOverlap) : await api.updateSubsector(id, geometry, text, allowOverlap);
        await this.afterWrite();
        this.selectedId = null;
        this.select(saved.id);
        return saved;
      } catch (err) {
        this.saveError = toSaveError(err);
        return null;
      } finally {
        this.saving = false;
      }
    },
    /** Archives a sub-sector (kept in the history). */
    async archive(id: number): Promise<boolean> {
      this.saveError = null;
      try {
        await api.archiveSubsector(id);
        if (this.selectedId === id) this.select(null);
        await this.afterWrite();
        return true;
      } catch (err) {
        this.saveError = toSaveError(err);
        return false;
      }
    },
    /** Imports a FeatureCollection (all or nothing); `allowOverlap` marks every feature as an assumed overlap. */
    async importCollection(collection: FeatureCollection, allowOverlap = false): Promise<number | null> {
      this.saving = true;
      this.saveError = null;
      try {
        const body = allowOverlap
          ? { ...collection, features: collection.features.map((f) => ({ ...f, properties: { ...f.properties, allowOverlap: true } })) }
          : collection;
        const created = await api.importSubsectors(body);
        await this.afterWrite();
        return created.features.length;
      } catch (err) {
        this.saveError = toSaveError(err);
        return null;
      } finally {
        this.saving = false;
      }
    },
    /** The active sub-sectors as a GeoJSON FeatureCollection (what the export downloads). */
    async exportCollection(): Promise<FeatureCollection> {
      return api.exportSubsectors();
    },
    setNotice(message: string): void {
      this.notice = message;
    },
    async afterWrite(): Promise<void> {
      this.revision += 1;
      await this.loadList();
    },
    toggleHistory(show: boolean): void {
      this.showHistory = show;
    },
  },
});
