import type { Logger } from 'pino';

/** An Open311 key put in the query string by mistake (it is only read from the body) stays out of the log. */
export const maskApiKeys = (url: string) => url.replace(/([?&]api_key=)[^&#]*/gi, '$1[masqué]');

/**
 * The one request log line of both transports (only when `info` is enabled): method, URL (an `api_key` masked),
 * status and response time in ms. No header is logged: the session cookie, an Authorization header and a login's
 * Set-Cookie never reach the log.
 */
export function logRequest(log: Logger, method: string | undefined, url: string | undefined, status: number, started: bigint): void {
  if (!log.isLevelEnabled('info')) return;
  const responseTime = Number(process.hrtime.bigint() - started) / 1e6;
  log.info({ req: { method, url: url === undefined ? url : maskApiKeys(url) }, res: { statusCode: status }, responseTime }, 'request completed');
}
