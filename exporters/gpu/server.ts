import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Exposition } from './exporter.js';

/** Prometheus text format 0.0.4. */
export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface ServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** The current exposition; called once per scrape, must not do any work. */
  readonly exposition: () => Exposition;
  readonly logger: Logger;
  /** Optional extra route, e.g. the faults endpoint of the simulated source. */
  readonly extraRoute?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean;
}

/** A listening exporter HTTP server. */
export interface ExporterServer {
  readonly port: number;
  readonly host: string;
  close(): Promise<void>;
}

const started = Date.now();

/**
 * Serves `/metrics` (the pre-rendered exposition, gzip when the scraper accepts it) and `/healthz`
 * (the process only: a broken GPU shows up as data, not as a down target).
 */
export async function startServer(options: ServerOptions): Promise<ExporterServer> {
  const server = http.createServer((req, res) => {
    try {
      const url = req.url ?? '/';
      const path = url.split('?', 1)[0];
      if (options.extraRoute?.(req, res)) return;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
        return;
      }
      if (path === '/metrics') {
        const e = options.exposition();
        const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
        const body = gzip ? e.gzip : e.body;
        res.writeHead(200, {
          'content-type': CONTENT_TYPE,
          'content-length': body.length,
          ...(gzip ? { 'content-encoding': 'gzip' } : {}),
          vary: 'Accept-Encoding',
        });
        res.end(req.method === 'HEAD' ? undefined : body);
        return;
      }
      if (path === '/healthz') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(`{"status":"ok","uptimeSeconds":${Math.round((Date.now() - started) / 1000)}}\n`);
        return;
      }
      if (path === '/') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('vigil exporter: /metrics, /healthz\n');
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    } catch (err) {
      options.logger.error({ err: String(err) }, 'request failed');
      if (!res.headersSent) res.writeHead(500).end();
    }
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  return {
    port: addr.port,
    host: options.host,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Scrapers keep connections alive; give in-flight responses a moment, then cut.
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      }),
  };
}
