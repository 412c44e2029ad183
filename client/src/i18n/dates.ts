/** French dates, always in Paris time (deadlines are computed there). */
const dateTimeFr = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Paris' });
const dateFr = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeZone: 'Europe/Paris' });
const shortDateTimeFr = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Paris' });

/** "2026-03-12T13:05:00Z" → "12 mars 2026 à 14:05". */
export const formatDateTime = (iso: string): string => dateTimeFr.format(new Date(iso));
/** "2026-03-12T13:05:00Z" → "12/03/2026". */
export const formatDate = (iso: string): string => dateFr.format(new Date(iso));
/** "2026-03-12T13:05:00Z" → "12/03/2026 14:05". */
export const formatShortDateTime = (iso: string): string => shortDateTimeFr.format(new Date(iso));
