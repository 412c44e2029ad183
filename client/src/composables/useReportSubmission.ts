import { ref } from 'vue';
import { useI18n } from 'vue-i18n';
import { ApiError } from '../api/http';
import { newIdempotencyKey } from '../api/idempotency';
import { createReport, type CreatedReport, type ReportDraft } from '../api/reports';
import { useReportsStore } from '../stores/reports';

/** Field name → message, from the API's `error.details` (or the form's own checks). */
export type FieldErrors = Partial<Record<'category' | 'description' | 'urgencyCriterion' | 'photo', string>>;

const FIELDS = ['category', 'description', 'urgencyCriterion', 'photo'] as const;

/**
 * Sends a report once: one Idempotency-Key per submission, reused when the same submission is retried
 * (after a network failure the server may already have it: it then answers with the same report).
 * Server refusals are kept as a general message (403 outside the commune names the commune) plus per-field messages.
 */
export function useReportSubmission() {
  const { t } = useI18n();
  const reports = useReportsStore();
  const submitting = ref(false);
  const error = ref('');
  const fieldErrors = ref<FieldErrors>({});
  const created = ref<CreatedReport | null>(null);
  let key: string | null = null;

  function explain(err: unknown) {
    if (!(err instanceof ApiError)) return t('reportForm.network');
    if (err.status === 0) return t('reportForm.network');
    const fields: FieldErrors = {};
    for (const d of Array.isArray(err.details) ? (err.details as { field?: string; message?: string }[]) : []) {
      const field = FIELDS.find((f) => f === d.field);
      if (field && d.message) fields[field] = d.message;
    }
    fieldErrors.value = fields;
    if (err.message) return err.message;
    return err.status === 403 ? t('reportForm.forbidden') : err.status === 404 ? t('reportForm.outside') : t('reportForm.errorTitle');
  }

  async function submit(draft: ReportDraft): Promise<void> {
    if (submitting.value) return;
    submitting.value = true;
    error.value = '';
    fieldErrors.value = {};
    key ??= newIdempotencyKey();
    try {
      created.value = await createReport(draft, key);
      reports.changed();
    } catch (err) {
      error.value = explain(err);
    } finally {
      submitting.value = false;
    }
  }

  /** Starts over for another report (a new submission, a new key). */
  function reset() {
    key = null;
    created.value = null;
    error.value = '';
    fieldErrors.value = {};
  }

  return { submitting, error, fieldErrors, created, submit, reset };
}
