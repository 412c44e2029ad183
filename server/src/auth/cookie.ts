/** Name of the session cookie (httpOnly, SameSite=Lax), read by both transports: requireSession (Express) and the lean path. */
export const SESSION_COOKIE = 'gup_session';
