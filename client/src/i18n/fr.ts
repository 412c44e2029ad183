/**
 * French UI messages (the only UI language for now; code stays in English).
 * vue-i18n syntax: `{x}` interpolates, `|` separates plural forms; never write a bare at-sign here.
 */
import { accountMessages } from './fr/account';
import { adminMessages } from './fr/admin';
import { dashboardMessages } from './fr/dashboard';
import { diagnosticMessages } from './fr/diagnostics';
import { mapMessages } from './fr/map';
import { plannerMessages } from './fr/planner';
import { informationMessages } from './fr/information';
import { reportMessages } from './fr/reports';

export const fr = {
  ...mapMessages, ...reportMessages, ...plannerMessages, ...accountMessages, ...diagnosticMessages, ...dashboardMessages, ...adminMessages,
  ...informationMessages,
  nav: { ...mapMessages.nav, ...dashboardMessages.nav },
};

export type Messages = typeof fr;
