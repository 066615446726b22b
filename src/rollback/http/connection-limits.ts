import type http from 'node:http';
import type { Socket } from 'node:net';

/** Limits on the trigger's connections (issue: idle sockets must not crowd out deliveries). */
export interface ConnectionLimits {
  /** Most open connections; at the limit a new one evicts the longest-idle one (default 1024). */
  readonly maxConnections?: number;
  /** A connection with no request in flight is closed after this long without traffic (default 15 s). */
  readonly idleTimeoutMs?: number;
}

/** What the limiter did, for tests and metrics. */
export interface ConnectionStats {
  open(): number;
  readonly evicted: { idle: number; refused: number; timedOut: number };
}

interface Tracked {
  /** Requests in flight on this connection (pipelining can make it > 1). */
  busy: number;
}

/**
 * Bounds the server's connections. A connection that has no request in flight (a client that
 * connected and sent nothing, or an idle keep-alive) is closed after `idleTimeoutMs` without
 * traffic; at `maxConnections` the longest-silent connection (one that never sent a request) is
 * closed to make room for the new one, else the longest-idle keep-alive connection, and only when
 * every connection is busy is the new one refused. So Alertmanager's deliveries and
 * `/healthz` get through whatever number of idle sockets someone holds open.
 */
export function limitConnections(server: http.Server, limits: ConnectionLimits = {}): ConnectionStats {
  const max = limits.maxConnections ?? 1024;
  const idleMs = limits.idleTimeoutMs ?? 15_000;
  // Insertion order = idle order. Connections that never sent a request are kept apart and
  // evicted first: a hostile crowd that connects and stays silent displaces itself, never the
  // keep-alive connections Alertmanager and the probes reuse (evicting one of those can race with
  // the request its client is sending on it, and that delivery fails).
  const silent = new Map<Socket, Tracked>();
  const idle = new Map<Socket, Tracked>();
  const all = new Map<Socket, Tracked>();
  const evicted = { idle: 0, refused: 0, timedOut: 0 };

  const becomeIdle = (socket: Socket, t: Tracked) => {
    idle.delete(socket);
    idle.set(socket, t);
  };
  const forget = (socket: Socket) => {
    all.delete(socket);
    silent.delete(socket);
    idle.delete(socket);
  };

  server.on('connection', (socket: Socket) => {
    if (all.size >= max) {
      const oldest = silent.keys().next().value ?? idle.keys().next().value;
      if (oldest === undefined) {
        evicted.refused++;
        socket.destroy();
        return;
      }
      evicted.idle++;
      oldest.destroy();
      forget(oldest);
    }
    const t: Tracked = { busy: 0 };
    all.set(socket, t);
    silent.set(socket, t);
    // Node resets the timer on every read and write; it fires only after idleMs of silence.
    socket.setTimeout(idleMs, () => {
      if (t.busy > 0) return;
      evicted.timedOut++;
      socket.destroy();
    });
    socket.once('close', () => forget(socket));
  });

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const socket = req.socket;
    const t = all.get(socket);
    if (!t) return;
    t.busy++;
    silent.delete(socket);
    idle.delete(socket);
    res.once('close', () => {
      t.busy = Math.max(0, t.busy - 1);
      if (t.busy === 0 && all.has(socket)) becomeIdle(socket, t);
    });
  });

  const stats = { open: () => all.size, evicted };
  byServer.set(server, stats);
  return stats;
}

const byServer = new WeakMap<http.Server, ConnectionStats>();

/** The limiter's figures for a server `limitConnections` was applied to. */
export function connectionStats(server: http.Server): ConnectionStats | undefined {
  return byServer.get(server);
}
