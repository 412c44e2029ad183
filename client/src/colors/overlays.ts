/** Colours of the overlay layers, shared by the layers and the legend. */
export const OVERLAY_COLORS = {
  /** Outline of parcels held in joint ownership (indivision). */
  joint: '#c2185b',
  /** Priority neighbourhoods (QPV). */
  qpv: '#d7191c',
  /** Sub-sector delegated to one actor (> threshold). */
  delegated: '#1a9850',
  /** Sub-sector under shared management (needs an agreement). */
  shared: '#f46d43',
  /** Commune boundaries. */
  commune: '#37474f',
  /** Selected parcel and spot. */
  selection: '#ffd600',
  selectionCasing: '#1d3557',
} as const;
