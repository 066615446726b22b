/** A listen address. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/**
 * Parses a listen address: `host:port`, `[v6]:port`, or `:port` when `defaultHost` is given
 * (the exporter listens on every interface by default; the rollback trigger makes you say where).
 * Undefined when malformed, so each command words its own usage error.
 */
export function parseListen(text: string, options: { defaultHost?: string } = {}): HostPort | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  const host = m[1] ?? (m[2] || options.defaultHost);
  return host === undefined ? undefined : { host, port };
}
