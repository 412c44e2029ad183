import { ref } from 'vue';
import { ApiError } from '../../api/http';

/** Field errors of an API answer (`details: [{field, message}]`), by field. */
export function fieldErrors(err: unknown): Record<string, string> {
  const details = err instanceof ApiError && Array.isArray(err.details) ? (err.details as { field?: string | null; message?: string }[]) : [];
  return Object.fromEntries(details.filter((d) => d.field).map((d) => [d.field!, d.message ?? '']));
}

/**
 * One admin action at a time: `busy` while it runs, then a status text (success) or an error text and the field
 * errors (for aria-invalid / aria-describedby), cleared when the next action starts.
 */
export function useAction() {
  const busy = ref(false);
  const status = ref('');
  const error = ref('');
  const fields = ref<Record<string, string>>({});
  async function run<T>(fn: () => Promise<T>, success?: (value: T) => string): Promise<T | undefined> {
    busy.value = true;
    status.value = '';
    error.value = '';
    fields.value = {};
    try {
      const value = await fn();
      if (success) status.value = success(value);
      return value;
    } catch (err) {
      error.value = err instanceof ApiError && err.message ? err.message : String((err as Error)?.message ?? err);
      fields.value = fieldErrors(err);
      return undefined;
    } finally {
      busy.value = false;
    }
  }
  return { busy, status, error, fields, run };
}
