import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, HttpError, retryableStatus } from '../../src/runtime/http-client.js';

describe('HttpClient against a local server', () => {
  let server: http.Server;
  let base: string;
  const seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        const path = (req.url ?? '').split('?')[0];
        if (path === '/json') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
        if (path === '/text') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('plain text');
        if (path === '/echo') return void res.writeHead(200).end(body);
        if (path === '/503') return void res.writeHead(503, { 'retry-after': '2' }).end('{"message":"down"}');
        if (path === '/404') return void res.writeHead(404).end('not json');
        if (path === '/big') return void res.writeHead(200).end('x'.repeat(4096));
        if (path === '/redirect') return void res.writeHead(302, { location: '/json' }).end();
        if (path === '/hang') return; // never answers
        res.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('returns status, text and parsed JSON; sends the bearer token and query', async () => {
    const c = new HttpClient({ baseUrl: `${base}/`, bearerToken: 'tok' });
    const r = await c.get<{ ok: boolean }>('/json', { query: { a: 1, b: 'x y' } });
    expect(r).toMatchObject({ status: 200, text: '{"ok":true}', body: { ok: true } });
    expect(r.headers['content-type']).toBe('application/json');
    const last = seen.at(-1)!;
    expect(last.url).toBe('/json?a=1&b=x+y');
    expect(last.headers.authorization).toBe('Bearer tok');
    const t = await c.get('/text');
    expect(t.text).toBe('plain text');
    expect(t.body).toBeUndefined();
  });

  it('sends raw bodies byte for byte and JSON bodies with their content type', async () => {
    const c = new HttpClient({ baseUrl: base });
    const raw = ' {"a": 1} ';
    expect((await c.post('/echo', { body: raw, headers: { 'content-type': 'application/json' } })).text).toBe(raw);
    await c.post('/echo', { json: { b: [1, 2] } });
    expect(seen.at(-1)!.body).toBe('{"b":[1,2]}');
    expect(seen.at(-1)!.headers['content-type']).toBe('application/json');
  });

  it('throws HttpError with status and response for a non-2xx, unless asked for any status', async () => {
    const c = new HttpClient({ baseUrl: base });
    const err = (await c.get('/503').catch((e: unknown) => e)) as HttpError;
    expect(err).toBeInstanceOf(HttpError);
    expect(err.status).toBe(503);
    expect(err.message).toBe('HTTP 503');
    expect(err.response?.body).toEqual({ message: 'down' });
    expect(err.response?.headers['retry-after']).toBe('2');
    const r = await c.get('/404', { anyStatus: true });
    expect(r).toMatchObject({ status: 404, text: 'not json', body: undefined });
    expect(retryableStatus(503)).toBe(true);
    expect(retryableStatus(404)).toBe(false);
  });

  it('does not follow redirects unless told to', async () => {
    expect((await new HttpClient({ baseUrl: base }).get('/redirect', { anyStatus: true })).status).toBe(302);
    expect((await new HttpClient({ baseUrl: base, followRedirects: true }).get('/redirect')).body).toEqual({ ok: true });
  });

  it('times out a request the server never answers', async () => {
    const t0 = Date.now();
    const err = (await new HttpClient({ baseUrl: base, timeoutMs: 150 }).get('/hang').catch((e: unknown) => e)) as HttpError;
    expect(err).toBeInstanceOf(HttpError);
    expect(err.message).toBe('timeout after 150ms');
    expect(err.code).toBe('ECONNABORTED');
    expect(err.status).toBeUndefined();
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('stops when the signal aborts', async () => {
    const ac = new AbortController();
    const p = new HttpClient({ baseUrl: base, timeoutMs: 0 }).get('/hang', { signal: ac.signal }).catch((e: unknown) => e);
    setTimeout(() => ac.abort(), 50);
    const err = (await p) as HttpError;
    expect(err).toBeInstanceOf(HttpError);
    expect(err.code).toBe('ERR_CANCELED');
  });

  it('refuses a body above the limit', async () => {
    const err = (await new HttpClient({ baseUrl: base, maxBodyBytes: 1024 }).get('/big').catch((e: unknown) => e)) as HttpError;
    expect(err.code).toBe('ERR_BODY_TOO_LARGE');
    expect(err.message).toBe('response larger than 1024 bytes');
    expect((await new HttpClient({ baseUrl: base, maxBodyBytes: 8192 }).get('/big')).text).toHaveLength(4096);
  });

  it('names the transport failure when nothing listens', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const err = (await new HttpClient().get(`http://127.0.0.1:${port}/`).catch((e: unknown) => e)) as HttpError;
    expect(err).toBeInstanceOf(HttpError);
    expect(err.code).toBe('ECONNREFUSED');
  });

  it('ignores proxy settings from the environment', async () => {
    const before = process.env.HTTP_PROXY;
    process.env.HTTP_PROXY = 'http://127.0.0.1:9';
    try {
      expect((await new HttpClient({ baseUrl: base }).get('/json')).status).toBe(200);
    } finally {
      if (before === undefined) delete process.env.HTTP_PROXY;
      else process.env.HTTP_PROXY = before;
    }
  });
});
