import { createI18n } from 'vue-i18n';
import { fr, type Messages } from './fr';

/** vue-i18n in composition mode; French only. */
export const i18n = createI18n<[Messages], 'fr', false>({
  legacy: false,
  locale: 'fr',
  fallbackLocale: 'fr',
  messages: { fr },
});

const numberFr = new Intl.NumberFormat('fr-FR');
const percentFr = new Intl.NumberFormat('fr-FR', { style: 'percent', maximumFractionDigits: 1 });
const coordFr = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 5, maximumFractionDigits: 5 });

/** 1234.4 → "1 234" (French grouping). */
export const formatInteger = (n: number): string => numberFr.format(Math.round(n));
/** 0.5 → "50 %". */
export const formatPercent = (ratio: number): string => percentFr.format(ratio);
/** 48.70312 → "48,70312". */
export const formatCoordinate = (deg: number): string => coordFr.format(deg);

/** French elision ("d'Athis-Mons", "de Juvisy-sur-Orge"), written once in the shared domain (server reasons use it too). */
export { de, le } from '@gup/server/domain';
