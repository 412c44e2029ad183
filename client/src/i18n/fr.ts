/**
 * French UI messages (the only UI language for now; code stays in English).
 * vue-i18n syntax: `{x}` interpolates, `|` separates plural forms; never write a bare at-sign here.
 */
import { mapMessages } from './fr/map';
import { plannerMessages } from './fr/planner';
import { informationMessages } from './fr/information';
import { reportMessages } from './fr/reports';

export const fr = { ...mapMessages, ...reportMessages, ...plannerMessages, ...informationMessages };

export type Messages = typeof fr;
