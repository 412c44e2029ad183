import type { Logger } from 'pino';
import type { ServerConfig } from '../config.js';
import type { Database } from '../data/db.js';
import type { SessionUser } from '../data/users.js';

export { SESSION_COOKIE } from '../auth/cookie.js';

/** What every route needs: the database, the configuration and the logger. */
export interface AppContext {
  db: Database;
  config: ServerConfig;
  log: Logger;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The signed-in user, set by the session middleware. */
      user?: SessionUser;
      /** The application's logger, set by the request log (http/express.ts). */
      log: Logger;
    }
  }
}
