/**
 * The one HTTP helper of the client: JSON in and out, session cookie sent automatically,
 * API errors (`{error:{code,message,details?}}`) turned into ApiError.
 */

/** An error answered by the API (or a network failure, status 0). */
export class ApiError extends Error {
  constructor(
    /** HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    /** Stable error code from the API (`not_found`, `invalid_input`…), `network` when offline. */
    readonly code: string,
    /** Message from the API, already in French for user-facing errors. */
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type UnauthorizedHandler = () => void;
let unauthorizedHandler: UnauthorizedHandler | null = null;

/** Registers what to do when any call answers 401 (the session expired): main.ts sends the user to login. */
export function onUnauthorized(handler: UnauthorizedHandler): void {
  unauthorizedHandler = handler;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
  /** Do not trigger the global 401 handler (login and "who am I" calls handle it themselves). */
  allow401?: boolean;
  /** Extra request headers (e.g. `Idempotency-Key`). */
  headers?: Record<string, string>;
}

/**
 * Calls the API and returns its JSON body (undefined for 204). Throws ApiError otherwise.
 * A FormData body goes as multipart/form-data (the browser sets the boundary), a Blob (file) as is; anything else as JSON.
 */
export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const isForm = typeof FormData !== 'undefined' && opts.body instanceof FormData;
  // a file (Blob) goes as the body itself, typed by the caller's headers or the file's own type
  const isFile = typeof Blob !== 'undefined' && opts.body instanceof Blob;
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (opts.body !== undefined && !isForm && !isFile) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
      credentials: 'same-origin',
      headers,
      body: opts.body === undefined ? null : isForm ? (opts.body as FormData) : isFile ? (opts.body as Blob) : JSON.stringify(opts.body),
      signal: opts.signal ?? null,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', '');
  }
  if (res.status === 204) return undefined as T;
  const body: unknown = (res.headers.get('content-type') ?? '').includes('json') ? await res.json().catch(() => null) : null;
  if (res.ok) return body as T;
  if (res.status === 401 && !opts.allow401) unauthorizedHandler?.();
  const error = (body as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
  throw new ApiError(res.status, error?.code ?? 'http_error', error?.message ?? '', error?.details);
}

/** True when an error is the abort of a superseded request (not worth showing). */
export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}
