import { testContext } from './context.js';

export const DEMO_PASSWORD = 'demo-gup-2026';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** Calls the API of the shared test server; `cookie` is a session cookie from login(). */
export async function api<T = any>(
  path: string,
  opts: { method?: string; body?: unknown; cookie?: string | undefined; headers?: Record<string, string>; raw?: BodyInit } = {},
): Promise<ApiResponse<T>> {
  const { baseUrl } = await testContext();
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.cookie) headers.cookie = opts.cookie;
  let body: BodyInit | undefined = opts.raw;
  if (opts.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(opts.body);
  }
  const res = await fetch(baseUrl + path, { method: opts.method ?? (body ? 'POST' : 'GET'), headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
  return { status: res.status, body: parsed as T, headers: res.headers };
}

const cookies = new Map<string, string>();

/** Logs a demo account in (session cached per e-mail unless `fresh`) and returns its session cookie. */
export async function login(email: string, opts: { password?: string; fresh?: boolean } = {}): Promise<string> {
  const password = opts.password ?? DEMO_PASSWORD;
  const cached = cookies.get(email);
  if (cached && !opts.fresh) return cached;
  const res = await api('/api/auth/login', { body: { email, password } });
  if (res.status !== 200) throw new Error(`login ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0]!;
  if (!opts.fresh) cookies.set(email, cookie);
  return cookie;
}
