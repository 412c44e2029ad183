import { testContext } from './context.js';
import type { ApiResponse } from './http.js';

/** A file part of a multipart form: its bytes, file name and declared type (which the server must not trust). */
export interface FilePart {
  field?: string;
  bytes: Uint8Array;
  name: string;
  type: string;
}

/** POSTs a multipart/form-data form (text fields + files) to the shared test server, as a browser would. */
export async function postForm(
  path: string,
  fields: Record<string, string | number | boolean | null | undefined>,
  files: FilePart[],
  opts: { cookie?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const { baseUrl } = await testContext();
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== null) form.append(k, String(v));
  for (const f of files) form.append(f.field ?? 'photo', new Blob([new Uint8Array(f.bytes)], { type: f.type }), f.name);
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.cookie) headers.cookie = opts.cookie;
  const res = await fetch(baseUrl + path, { method: 'POST', headers, body: form });
  const text = await res.text();
  const body = (res.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : text;
  return { status: res.status, body, headers: res.headers };
}

/** GETs raw bytes (photos) from the shared test server. */
export async function getBytes(path: string, cookie?: string): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
  const { baseUrl } = await testContext();
  const res = await fetch(baseUrl + path, { headers: cookie ? { cookie } : {} });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}
