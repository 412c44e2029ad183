/**
 * An "instant" OGC API server for the OGC benchmark's floor: it fetches once, from the real server, every document
 * GDAL's OAPIF driver asks while reading a collection (`/collections`, the first page, then every `next` page), with
 * the links rewritten to itself, and answers them from memory — byte for byte what GUP serves, with no work per
 * request. `ogr2ogr` reading through it costs what GDAL itself costs on these pages: no GeoJSON server can be faster.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StaticOgc {
  /** `http://127.0.0.1:port/ogcapi` */
  base: string;
  pages: number;
  stop(): Promise<void>;
}

export async function staticOgcServer(sourceBase: string, collection: string, pageSize: number): Promise<StaticOgc> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ogcapi`;
  const docs = new Map<string, Buffer>();
  const keep = async (path: string): Promise<string> => {
    const res = await fetch(`${sourceBase}${path}`, { headers: { accept: 'application/geo+json, application/json' } });
    if (res.status !== 200) throw new Error(`${path} : ${res.status}`);
    const text = (await res.text()).split(sourceBase).join(base);
    docs.set(path, Buffer.from(text));
    return text;
  };
  await keep('/collections');
  for (let path: string | null = `/collections/${collection}/items?f=json&limit=${pageSize}`; path;) {
    const page = JSON.parse(await keep(path)) as { links: { rel: string; href: string }[] };
    const next = page.links.find((l) => l.rel === 'next')?.href;
    path = next ? next.slice(base.length) : null;
  }
  server.on('request', (req, res) => {
    const body = docs.get((req.url ?? '').replace(/^\/ogcapi/, ''));
    if (!body) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': 'application/geo+json', 'content-length': body.length }).end(body);
  });
  return {
    base, pages: docs.size,
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
