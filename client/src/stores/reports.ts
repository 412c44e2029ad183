import { defineStore } from 'pinia';
import type { ReportStatus } from '../api/reports';

/** A report circle clicked on the map: the attributes its vector tile carries. */
export interface PickedReport {
  id: number;
  reference: string;
  status: ReportStatus;
  /** Category code (its name comes from the territory). */
  category: string;
  urgent: boolean;
  overdue: boolean;
}

interface ReportsState {
  /** Increases whenever reports change from this client (filed, joined, moved on): the map reloads their tiles. */
  revision: number;
  /** The report clicked on the map, shown in a small card with a link to its page; null when none. */
  picked: PickedReport | null;
}

/** Reports on the map: plain data only (the lists and the report page keep theirs in the URL and the view). */
export const useReportsStore = defineStore('reports', {
  state: (): ReportsState => ({ revision: 0, picked: null }),
  actions: {
    /** Something changed on the server: reload the reports layer. */
    changed(): void {
      this.revision++;
    },
    pick(report: PickedReport): void {
      this.picked = report;
    },
    unpick(): void {
      this.picked = null;
    },
  },
});
