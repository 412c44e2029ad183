import type { Logger } from 'pino';
import type { ServerConfig } from '../config.js';
import type { Database } from '../data/db.js';
import type { SessionUser } from '../data/users.js';
import type { AppSlots } from './work-slots.js';

export { SESSION_COOKIE } from '../auth/cookie.js';

/** What every route needs: the database, the configuration, the logger and the process's bounds on costly work. */
export interface AppContext {
  db: Database;
  config: ServerConfig;
  log: Logger;
  /** Documents computed and photos decoded at once (http/work-slots.ts): one set per app, none in a module. */
  slots: AppSlots;
}

/** What `createApp` is given: the context, its slots made fresh unless given (a test holds them to fill them). */
export type AppOptions = Omit<AppContext, 'slots'> & { slots?: AppSlots };

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
