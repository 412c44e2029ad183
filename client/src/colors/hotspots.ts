/** Hotspot cells coloured by their number of reports (a sequential orange scale, darker = more), lowest step first. */
export const HOTSPOT_STEPS: readonly { min: number; color: string }[] = [
  { min: 0, color: '#fdd49e' },
  { min: 8, color: '#fc8d59' },
  { min: 15, color: '#d7301f' },
  { min: 30, color: '#7f0000' },
];
