import { Type } from '@sinclair/typebox';
import { KebabName } from './schema-primitives.js';

/** An environment variable's name (the generated scripts read `__ENV.<name>`). */
const EnvName = (description: string) => Type.String({ pattern: '^[A-Z_][A-Z0-9_]*$', maxLength: 128, description });
/** A k6 tag value: no `,`, `{`, `}` or `:` would survive a threshold's `metric{tag:value}` key. */
const TagValue = Type.String({ minLength: 1, pattern: '^[^,{}:"\\s]+$', description: 'a tag value (no spaces, commas, colons, braces or quotes)' });
const HeaderName = Type.String({ pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$", description: 'an HTTP header name' });
/** A duration k6 reads (Go's units plus days): `30s`, `10m`, `1h30m`, `1d`. */
const Duration = (description: string) => Type.String({ pattern: '^([0-9]+(ms|s|m|h|d))+$', description });
const Percent = (description: string) => Type.Number({ minimum: 0, maximum: 1000, description });

/** One request a scenario iteration sends; iterations take the requests in turn, by weight. */
const K6Request = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'a name for the request (default: METHOD path)' })),
    method: Type.Optional(
      Type.Union(
        ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'].map((m) => Type.Literal(m)),
        { description: 'HTTP method (default GET)' },
      ),
    ),
    path: Type.String({ pattern: '^/\\S*$', description: 'path (and query) appended to the base URL, starting with /' }),
    tags: Type.Optional(
      Type.Record(Type.String({ pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$' }), TagValue, {
        description: 'k6 tags of the request; a grouped SLO (groupBy) gets one threshold per value its groupBy labels take here, e.g. { model: llama-3-8b }',
      }),
    ),
    headers: Type.Optional(
      Type.Record(HeaderName, Type.String(), {
        description: 'literal request headers (never a secret: credentials come from `auth`, an environment variable)',
      }),
    ),
    json: Type.Optional(Type.Unknown({ description: 'a JSON body, sent with content-type application/json' })),
    body: Type.Optional(Type.String({ description: 'a literal text body' })),
    bodyFile: Type.Optional(
      Type.String({ minLength: 1, description: 'a file (relative to the project root) whose text is the body; read by vigil and inlined in the script' }),
    ),
    weight: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'share of iterations relative to the other requests (default 1)' })),
  },
  { additionalProperties: false },
);

/** One service's load test: the `k6.services.<service>` entry of vigil.config.yaml. */
const K6Service = Type.Object(
  {
    baseUrlEnv: Type.Optional(EnvName('environment variable holding the base URL, e.g. https://doc-api.staging.internal (default K6_BASE_URL_<SERVICE>)')),
    slos: Type.Optional(
      Type.Array(KebabName('an SLO name of the service'), {
        uniqueItems: true,
        description: 'the SLOs the script measures (default: every HTTP SLO of the service, see README "k6 load tests")',
      }),
    ),
    requests: Type.Optional(Type.Array(K6Request, { minItems: 1, description: 'the requests of an iteration (default one GET /)' })),
    auth: Type.Optional(
      Type.Object(
        {
          header: Type.Optional(HeaderName),
          env: EnvName('environment variable holding the credential'),
          scheme: Type.Optional(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9-]*$', description: 'prefix of the value, e.g. Bearer (default none)' })),
        },
        { additionalProperties: false, description: 'a header (default Authorization) whose value is read from an environment variable at run time' },
      ),
    ),
    smoke: Type.Optional(
      Type.Object(
        {
          vus: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'virtual users (default 1)' })),
          duration: Type.Optional(Duration('how long (default 30s)')),
        },
        { additionalProperties: false, description: 'the smoke scenario: a few VUs for a short while (constant-vus)' },
      ),
    ),
    baseline: Type.Optional(
      Type.Object(
        {
          rate: Type.Optional(Type.Integer({ minimum: 1, description: 'iterations per timeUnit (default 10)' })),
          timeUnit: Type.Optional(Duration('the rate’s unit (default 1s)')),
          duration: Type.Optional(Duration('how long (default 10m)')),
          preAllocatedVUs: Type.Optional(Type.Integer({ minimum: 1, description: 'VUs started up front (default: rate)' })),
          maxVUs: Type.Optional(Type.Integer({ minimum: 1, description: 'VUs k6 may add when responses slow down (default 10 × preAllocatedVUs)' })),
        },
        { additionalProperties: false, description: 'the baseline scenario: a constant arrival rate (constant-arrival-rate)' },
      ),
    ),
    burnDrill: Type.Optional(
      Type.Object(
        {
          factor: Type.Optional(
            Type.Number({
              exclusiveMinimum: 0,
              maximum: 1000,
              description: 'burn rate to cause, × the error budget rate (default 18: above 14.4, the fastest page pair, which the alert must exceed)',
            }),
          ),
          slo: Type.Optional(KebabName('the ratio SLO whose budget the drill burns (default: the one with the smallest error budget)')),
          faultHeader: Type.Optional(
            Type.Object(
              { name: HeaderName, value: Type.String({ maxLength: 200 }) },
              { additionalProperties: false, description: 'header that makes the service fail the request (default X-Vigil-Fault: error)' },
            ),
          ),
          faultPath: Type.Optional(
            Type.String({ pattern: '^/\\S*$', description: 'instead of a header: a path that always fails, requested in place of the faulted requests' }),
          ),
          rate: Type.Optional(Type.Integer({ minimum: 1, description: 'iterations per second (default: baseline rate per second, at least 1)' })),
          duration: Type.Optional(Duration('how long (default: the predicted time to page plus 20%, at least 10m)')),
        },
        { additionalProperties: false, description: 'the burn-drill scenario: fails a share of requests so the SLO burns budget at `factor`' },
      ),
    ),
  },
  { additionalProperties: false },
);

/**
 * The `k6` section of vigil.config.yaml: the load tests `vigil render` writes to build/k6/ and the
 * regression thresholds of `vigil k6 compare`.
 */
export const K6ConfigSchema = Type.Object(
  {
    services: Type.Optional(
      Type.Record(Type.String({ pattern: '^[a-z0-9]([a-z0-9-]*[a-z0-9])?$' }), K6Service, {
        description: 'per service (as named in slos/): how to load it; a service listed here gets a script even without an HTTP-looking SLO',
      }),
    ),
    compare: Type.Optional(
      Type.Object(
        {
          p50: Type.Optional(Percent('largest accepted increase of the median latency, percent (default 10)')),
          p95: Type.Optional(Percent('largest accepted increase of p(95) latency, percent (default 10)')),
          p99: Type.Optional(Percent('largest accepted increase of p(99) latency, percent (default 15)')),
          errorRatio: Type.Optional(
            Type.Number({ minimum: 0, maximum: 1, description: 'largest accepted absolute increase of the error ratio (default 0.001)' }),
          ),
          throughput: Type.Optional(Percent('largest accepted drop of throughput (http_reqs per second), percent (default 10)')),
        },
        { additionalProperties: false, description: 'regression thresholds of vigil k6 compare (flags override them)' },
      ),
    ),
  },
  { additionalProperties: false, description: 'k6 load tests generated from the SLOs, and vigil k6 compare' },
);
