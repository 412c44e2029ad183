import { onBeforeUnmount, ref, watch, type Ref } from 'vue';
import { ApiError, isAbort } from '../api/http';
import { applyTransition, fetchReport, type ReportDetails, type TransitionInput } from '../api/reports';
import { useReportsStore } from '../stores/reports';

/**
 * One report's page data: loaded for an id (reloaded when it changes), and updated by the actions.
 * `hidden`: after a transfer the former service no longer sees it.
 */
export function useReportDetails(id: Ref<number>) {
  const report = ref<ReportDetails | null>(null);
  const status = ref<'loading' | 'ready' | 'notFound' | 'error' | 'hidden'>('loading');
  const errorMessage = ref('');
  const reports = useReportsStore();
  let controller: AbortController | null = null;

  async function load() {
    controller?.abort();
    const ctrl = new AbortController();
    controller = ctrl;
    status.value = 'loading';
    try {
      report.value = await fetchReport(id.value, ctrl.signal);
      status.value = 'ready';
    } catch (err) {
      if (isAbort(err)) return;
      status.value = err instanceof ApiError && err.status === 404 ? 'notFound' : 'error';
      errorMessage.value = err instanceof ApiError ? err.message : '';
    }
  }

  /** Applies an action; throws the ApiError for the form to show (409 changed meanwhile, 422…). */
  async function apply(input: TransitionInput): Promise<void> {
    const after = await applyTransition(id.value, input);
    reports.changed();
    if ('visible' in after && after.visible === false) {
      report.value = null;
      status.value = 'hidden';
    } else {
      report.value = after as ReportDetails;
    }
  }

  watch(id, () => void load(), { immediate: true });
  onBeforeUnmount(() => controller?.abort());
  return { report, status, errorMessage, load, apply };
}
