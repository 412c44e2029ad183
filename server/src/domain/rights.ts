/** DGFiP "code droit" labels (fichier des parcelles des personnes morales). Only `P` is ownership. */
export const RIGHT_LABELS: Record<string, string> = {
  P: 'Propriétaire',
  U: 'Usufruitier',
  N: 'Nu-propriétaire',
  B: 'Bailleur à construction',
  R: 'Preneur à construction',
  F: 'Foncier',
  T: 'Tenuyer',
  D: 'Domanier',
  V: 'Bailleur à réhabilitation',
  W: 'Preneur à réhabilitation',
  A: 'Locataire-attributaire',
  E: 'Emphytéote',
  K: 'Antichrésiste',
  L: 'Fonctionnaire logé',
  G: 'Gérant, mandataire, gestionnaire',
  S: 'Syndic de copropriété',
  H: 'Associé dans une société en transparence fiscale',
  O: 'Autorisation d\'occupation temporaire',
  J: 'Jeune agriculteur',
  Q: 'Gestionnaire taxe sur les bureaux',
  X: 'La Poste occupant et propriétaire',
  Y: 'La Poste occupant et non propriétaire',
  C: 'Fiduciaire',
  M: 'Occupant d\'une parcelle appartenant au département de Mayotte ou à l\'État',
};

export const OWNERSHIP_RIGHT = 'P';

export function rightLabel(code: string): string {
  return RIGHT_LABELS[code] ?? `Droit ${code}`;
}
