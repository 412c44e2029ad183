/**
 * The planner mode of the map view (planners and admins): whether it may be and is open, the planner context
 * provided to the map layers and the panel, and the URL parameters (`plan`, `ss`). Called once by MapView.
 */
import { computed, type ComputedRef } from 'vue';
import { useSessionStore } from '../stores/session';
import { useSubsectorsStore } from '../stores/subsectors';
import { usePlannerUrlSync } from '../stores/usePlannerUrlSync';
import { providePlanner } from './plannerContext';

export interface PlannerMode {
  /** The signed-in user may draw sub-sectors (planner, admin). */
  canPlan: ComputedRef<boolean>;
  /** The planner panel is open: map clicks pick sub-sectors or draw, not "who manages here?". */
  planning: ComputedRef<boolean>;
}

export function usePlannerMode(): PlannerMode {
  const session = useSessionStore();
  const subsectors = useSubsectorsStore();
  const canPlan = computed(() => session.user?.role === 'planner' || session.user?.role === 'admin');
  providePlanner();
  usePlannerUrlSync(() => canPlan.value);
  return { canPlan, planning: computed(() => canPlan.value && subsectors.open) };
}
