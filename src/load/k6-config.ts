import fs from 'node:fs';
import path from 'node:path';
import type { Static } from '@sinclair/typebox';
import type { Diagnostics } from '../diagnostics.js';
import type { SourceRef } from '../model/types.js';
import type { K6ConfigSchema } from './k6-config-schema.js';
import type { YamlSource } from './yaml-source.js';

type K6Spec = Static<typeof K6ConfigSchema>;

/** One request of a generated load test, body resolved (a bodyFile is read at load). */
export interface K6Request {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  /** The body text (JSON already serialized), or undefined for none. */
  readonly body: string | undefined;
  readonly weight: number;
}

/** How to load one service (config `k6.services.<service>` with every default applied). */
export interface K6ServiceConfig {
  readonly service: string;
  /** Whether the config lists the service (else it is loaded for having HTTP SLOs, with defaults). */
  readonly declared: boolean;
  /** Where the entry is written (undefined for a service the config does not list). */
  readonly at: SourceRef | undefined;
  readonly baseUrlEnv: string;
  /** SLO names the config picks (undefined: every HTTP SLO of the service), with their positions. */
  readonly slos: readonly { readonly name: string; readonly at: SourceRef }[] | undefined;
  readonly requests: readonly (K6Request & { readonly at: SourceRef | undefined })[];
  readonly auth: { readonly header: string; readonly env: string; readonly scheme: string | undefined } | undefined;
  readonly smoke: { readonly vus: number; readonly duration: string };
  readonly baseline: { readonly rate: number; readonly timeUnit: string; readonly duration: string; readonly preAllocatedVUs: number; readonly maxVUs: number };
  readonly burnDrill: {
    readonly factor: number;
    readonly slo: { readonly name: string; readonly at: SourceRef } | undefined;
    readonly fault: { readonly kind: 'header'; readonly name: string; readonly value: string } | { readonly kind: 'path'; readonly path: string };
    /** Iterations per second; undefined: the baseline's rate per second (at least 1). */
    readonly rate: number | undefined;
    /** undefined: the predicted time to page plus 20%, at least 10m. */
    readonly duration: string | undefined;
  };
}

/** Regression thresholds of `vigil k6 compare`: latency and throughput in percent, the error ratio absolute. */
export interface K6CompareThresholds {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly errorRatio: number;
  readonly throughput: number;
}

/** The `k6` section of vigil.config.yaml, resolved. */
export interface K6Config {
  /** Services the config lists, by name. */
  readonly services: ReadonlyMap<string, K6ServiceConfig>;
  readonly compare: K6CompareThresholds;
}

export const DEFAULT_K6_COMPARE: K6CompareThresholds = { p50: 10, p95: 10, p99: 15, errorRatio: 0.001, throughput: 10 };
/** 1.25 × the fastest page pair (14.4× on 1h/5m): the alert compares with `>`, so a drill at exactly 14.4× would never fire it. */
export const DEFAULT_BURN_FACTOR = 18;
export const DEFAULT_FAULT_HEADER = { name: 'X-Vigil-Fault', value: 'error' } as const;
export const DEFAULT_K6_CONFIG: K6Config = { services: new Map(), compare: DEFAULT_K6_COMPARE };

/** `K6_BASE_URL_<SERVICE>`: the service name upper-cased, `-` as `_`. */
export function defaultBaseUrlEnv(service: string): string {
  return `K6_BASE_URL_${service.toUpperCase().replace(/-/g, '_')}`;
}

/** A service's load test with nothing configured: one GET /, the defaults of every scenario. */
export function defaultK6Service(service: string): K6ServiceConfig {
  return resolveService(service, {}, undefined);
}

/** Headers whose value is a credential whatever it looks like. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'api-key', 'x-auth-token', 'x-access-token']);

/**
 * Why a literal header value looks like a secret (undefined when it does not): a credential
 * header, an auth scheme with a value, a JWT, or a long opaque string of letters and digits.
 */
export function secretLooking(header: string, value: string): string | undefined {
  if (CREDENTIAL_HEADERS.has(header.toLowerCase())) return `${header} carries credentials`;
  if (/^(bearer|basic|token|apikey|digest)\s+\S{8,}/i.test(value)) return 'the value is an auth scheme followed by a credential';
  if (/^eyJ[\w-]{5,}\.[\w-]{5,}\./.test(value)) return 'the value is a JSON Web Token';
  if (/^[A-Za-z0-9_\-+/=]{32,}$/.test(value) && /[0-9]/.test(value) && /[A-Za-z]/.test(value)) return 'the value is a long opaque token';
  return undefined;
}

/**
 * Resolves the `k6` section (schema-valid) with defaults: reads each bodyFile relative to the
 * root and rejects literal secrets in headers (K6001), unreadable body files (K6002) and requests
 * with more than one body (K6003), each at its position.
 */
export function resolveK6Config(spec: K6Spec | undefined, source: YamlSource, root: string, diags: Diagnostics): K6Config {
  if (!spec) return DEFAULT_K6_CONFIG;
  const at = (p: (string | number)[]): SourceRef => ({ file: source.file, ...source.positionOf(['k6', ...p]) });
  const services = new Map<string, K6ServiceConfig>();
  for (const [service, s] of Object.entries(spec.services ?? {})) {
    const requests = (s.requests ?? []).map((r, i) => {
      const where = (...p: (string | number)[]) => at(['services', service, 'requests', i, ...p]);
      for (const [name, value] of Object.entries(r.headers ?? {})) {
        const why = secretLooking(name, value);
        if (why)
          diags.error(
            'K6001',
            `k6.services.${service}.requests[${i}].headers.${name}: a literal secret in the configuration (${why})`,
            where('headers', name),
            `remove it and set auth: { header: ${name}, env: SOME_ENV_VAR } so the script reads it from the environment at run time`,
          );
      }
      const bodies = (['json', 'body', 'bodyFile'] as const).filter((k) => r[k] !== undefined);
      if (bodies.length > 1)
        diags.error('K6003', `k6.services.${service}.requests[${i}]: ${bodies.join(' and ')} both set a body`, where(bodies[1]!), 'keep one of them');
      let body: string | undefined = r.json !== undefined ? JSON.stringify(r.json) : r.body;
      if (r.bodyFile !== undefined && bodies.length === 1) {
        try {
          body = fs.readFileSync(path.resolve(root, r.bodyFile), 'utf8');
        } catch (err) {
          diags.error(
            'K6002',
            `k6.services.${service}.requests[${i}].bodyFile: cannot read ${r.bodyFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
            where('bodyFile'),
            'the path is relative to the project root',
          );
        }
      }
      return { ...r, body, json: undefined, bodyFile: undefined, at: where() };
    });
    if (s.burnDrill?.faultHeader && s.burnDrill.faultPath)
      diags.error(
        'K6004',
        `k6.services.${service}.burnDrill: faultHeader and faultPath both say how to fail a request`,
        at(['services', service, 'burnDrill', 'faultPath']),
        'keep one of them',
      );
    services.set(
      service,
      resolveService(service, { ...s, requests }, at(['services', service]), (p) => at(['services', service, ...p])),
    );
  }
  return { services, compare: { ...DEFAULT_K6_COMPARE, ...stripUndefined(spec.compare ?? {}) } };
}

type ServiceSpec = Omit<NonNullable<K6Spec['services']>[string], 'requests'> & {
  requests?: readonly {
    name?: string;
    method?: string;
    path: string;
    tags?: Record<string, string>;
    headers?: Record<string, string>;
    body?: string | undefined;
    weight?: number;
    at?: SourceRef;
  }[];
};

function resolveService(service: string, s: ServiceSpec, where: SourceRef | undefined, at?: (p: (string | number)[]) => SourceRef): K6ServiceConfig {
  const rate = s.baseline?.rate ?? 10;
  const preAllocatedVUs = s.baseline?.preAllocatedVUs ?? rate;
  const drill = s.burnDrill ?? {};
  const requests = s.requests?.length
    ? s.requests.map((r) => ({
        name: r.name ?? `${r.method ?? 'GET'} ${r.path}`,
        method: r.method ?? 'GET',
        path: r.path,
        tags: r.tags ?? {},
        headers: r.headers ?? {},
        body: r.body,
        weight: r.weight ?? 1,
        at: r.at,
      }))
    : [{ name: 'GET /', method: 'GET', path: '/', tags: {}, headers: {}, body: undefined, weight: 1, at: undefined }];
  return {
    service,
    declared: where !== undefined,
    at: where,
    baseUrlEnv: s.baseUrlEnv ?? defaultBaseUrlEnv(service),
    slos: s.slos && at ? s.slos.map((name, i) => ({ name, at: at(['slos', i]) })) : undefined,
    requests,
    auth: s.auth ? { header: s.auth.header ?? 'Authorization', env: s.auth.env, scheme: s.auth.scheme } : undefined,
    smoke: { vus: s.smoke?.vus ?? 1, duration: s.smoke?.duration ?? '30s' },
    baseline: {
      rate,
      timeUnit: s.baseline?.timeUnit ?? '1s',
      duration: s.baseline?.duration ?? '10m',
      preAllocatedVUs,
      maxVUs: Math.max(s.baseline?.maxVUs ?? preAllocatedVUs * 10, preAllocatedVUs),
    },
    burnDrill: {
      factor: drill.factor ?? DEFAULT_BURN_FACTOR,
      slo: drill.slo && at ? { name: drill.slo, at: at(['burnDrill', 'slo']) } : undefined,
      fault: drill.faultPath
        ? { kind: 'path', path: drill.faultPath }
        : { kind: 'header', name: drill.faultHeader?.name ?? DEFAULT_FAULT_HEADER.name, value: drill.faultHeader?.value ?? DEFAULT_FAULT_HEADER.value },
      rate: drill.rate,
      duration: drill.duration,
    },
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
