import { computed, watch } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { useSelectionStore } from '../stores/selection';

/** Query parameter set while the report form is open for the selected spot (`?sel=…&signaler=1`). */
const PARAM = 'signaler';

/**
 * Whether the map shows the report form for the selected spot instead of the "who manages here?" panel.
 * It lives in the URL like the rest of the map's state, so a reload keeps the form open; it closes with the selection.
 */
export function useReportingMode() {
  const route = useRoute();
  const router = useRouter();
  const selection = useSelectionStore();

  const active = computed(() => route.query[PARAM] === '1' && selection.point !== null);

  const open = () => void router.replace({ query: { ...route.query, [PARAM]: '1' } });
  const close = () => {
    if (!(PARAM in route.query)) return;
    const query = { ...route.query };
    delete query[PARAM];
    void router.replace({ query });
  };
  // No spot, no form: a new spot picked later opens the panel, not a stale form.
  watch(() => selection.point, (point) => point === null && close());

  return { active, open, close };
}
