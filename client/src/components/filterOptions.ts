/** The territory's lists as options of a `FilterSelect` (value = code, label = name), shared by the filter forms. */
import type { Territory } from '../api/types';
import type { FilterOption } from './FilterSelect.vue';

type Named = { code: string; name: string };
const byCode = (list: readonly Named[] | undefined): FilterOption[] => (list ?? []).map((x) => ({ value: x.code, label: x.name }));

/** The communes of the territory (not its neighbours), by INSEE code. */
export const communeOptions = (t: Territory | null): FilterOption[] =>
  (t?.communes ?? []).filter((c) => c.inTerritory).map((c) => ({ value: c.insee, label: c.name }));
export const serviceOptions = (t: Territory | null) => byCode(t?.services);
export const categoryOptions = (t: Territory | null) => byCode(t?.categories);
export const themeOptions = (t: Territory | null) => byCode(t?.themes);
/** "Quartier (QP091001)": the code is shown, two QPVs may share a name. */
export const qpvOptions = (t: Territory | null): FilterOption[] => (t?.qpvs ?? []).map((q) => ({ value: q.code, label: `${q.name} (${q.code})` }));
