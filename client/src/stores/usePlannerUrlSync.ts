import { watch } from 'vue';
import { useRoute, useRouter, type LocationQuery } from 'vue-router';
import { useSubsectorsStore } from './subsectors';

const first = (v: LocationQuery[string] | undefined): string | null => (Array.isArray(v) ? (v[0] ?? null) : v) ?? null;

/**
 * The planner panel's state in the URL, next to the map view's (`useUrlSync` keeps unrelated parameters):
 * `plan=1` when the panel is open, `ss=<id>` for the sub-sector shown. Read once, then written on change.
 */
export function usePlannerUrlSync(enabled: () => boolean): void {
  const route = useRoute();
  const router = useRouter();
  const subsectors = useSubsectorsStore();

  if (enabled()) {
    const ssText = first(route.query.ss);
    const id = ssText && /^\d+$/.test(ssText) ? Number(ssText) : null;
    if (first(route.query.plan) === '1' || id !== null) subsectors.setOpen(true);
    if (id !== null) subsectors.select(id);
  }

  watch(
    () => [subsectors.open, subsectors.selectedId] as const,
    ([open, id]) => {
      const query = { ...route.query };
      delete query.plan;
      delete query.ss;
      if (open) query.plan = '1';
      if (open && id !== null) query.ss = String(id);
      if (first(route.query.plan) === first(query.plan) && first(route.query.ss) === first(query.ss)) return;
      void router.replace({ query });
    },
  );
}
