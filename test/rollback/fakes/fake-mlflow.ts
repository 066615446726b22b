import { listen, readBody } from '../helpers.js';

/**
 * A strict stand-in for MLflow's model-registry REST API: GET reads only the query string,
 * POST requires `Content-Type: application/json` and a JSON body, unknown models/aliases give
 * 404 RESOURCE_DOES_NOT_EXIST, bad parameters 400 INVALID_PARAMETER_VALUE.
 */
export async function startFakeMlflow(opts: { token?: string } = {}) {
  const models = new Map<string, { versions: Set<string>; aliases: Map<string, string>; tags: Map<string, string> }>();
  const versionTags: { name: string; version: string; key: string; value: string }[] = [];
  const requests: { method: string; path: string; body: string }[] = [];
  const srv = await listen(async (req, res) => {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push({ method: req.method ?? '', path: url.pathname + url.search, body });
    const send = (status: number, obj: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(obj));
    };
    const err = (status: number, code: string, message: string) => send(status, { error_code: code, message });
    if (opts.token && req.headers.authorization !== `Bearer ${opts.token}`) return err(401, 'UNAUTHENTICATED', 'credentials required');
    const route = url.pathname.replace(/^\/api\/2\.0\/mlflow\//, '');
    let params: Record<string, unknown>;
    if (req.method === 'GET') {
      if (body.length > 0) return err(400, 'INVALID_PARAMETER_VALUE', 'GET parameters must be in the query string');
      params = Object.fromEntries(url.searchParams);
    } else if (req.method === 'POST') {
      if (req.headers['content-type'] !== 'application/json') return err(400, 'INVALID_PARAMETER_VALUE', 'Content-Type must be application/json');
      try {
        params = JSON.parse(body) as Record<string, unknown>;
      } catch {
        return err(400, 'MALFORMED_REQUEST', 'malformed JSON');
      }
    } else return err(405, 'BAD_REQUEST', 'method not allowed');
    const model = models.get(String(params.name));
    /** The named parameters as strings, or the first of them that is missing, empty or not a string. */
    const need = <K extends string>(...keys: K[]): { missing: K } | { missing?: undefined; got: Record<K, string> } => {
      const got = {} as Record<K, string>;
      for (const k of keys) {
        const v = params[k];
        if (typeof v !== 'string' || v === '') return { missing: k };
        got[k] = v;
      }
      return { got };
    };
    if (route === 'registered-models/alias' && req.method === 'GET') {
      const p = need('name', 'alias');
      if (p.missing) return err(400, 'INVALID_PARAMETER_VALUE', `Missing value for required parameter '${p.missing}'`);
      const v = model?.aliases.get(p.got.alias);
      if (!model || v === undefined) return err(404, 'RESOURCE_DOES_NOT_EXIST', `Registered model alias ${p.got.alias} not found.`);
      return send(200, { model_version: { name: p.got.name, version: v, aliases: [p.got.alias], current_stage: 'None', status: 'READY' } });
    }
    if (route === 'registered-models/alias' && req.method === 'POST') {
      const p = need('name', 'alias', 'version');
      if (p.missing) return err(400, 'INVALID_PARAMETER_VALUE', `Missing value for required parameter '${p.missing}'`);
      if (!model || !model.versions.has(p.got.version)) return err(404, 'RESOURCE_DOES_NOT_EXIST', `Model version ${p.got.version} not found`);
      model.aliases.set(p.got.alias, p.got.version);
      return send(200, {});
    }
    if (route === 'registered-models/get' && req.method === 'GET') {
      if (!model) return err(404, 'RESOURCE_DOES_NOT_EXIST', 'Registered Model not found');
      return send(200, {
        registered_model: {
          name: params.name,
          aliases: [...model.aliases].map(([alias, version]) => ({ alias, version })),
          tags: [...model.tags].map(([key, value]) => ({ key, value })),
        },
      });
    }
    if (route === 'model-versions/set-tag' && req.method === 'POST') {
      const p = need('name', 'version', 'key', 'value');
      if (p.missing) return err(400, 'INVALID_PARAMETER_VALUE', `Missing value for required parameter '${p.missing}'`);
      versionTags.push(p.got);
      return send(200, {});
    }
    return err(404, 'ENDPOINT_NOT_FOUND', `no endpoint ${req.method} ${url.pathname}`);
  });
  return {
    ...srv,
    models,
    versionTags,
    requests,
    addModel(name: string, versions: string[], aliases: Record<string, string>, tags: Record<string, string> = {}) {
      models.set(name, { versions: new Set(versions), aliases: new Map(Object.entries(aliases)), tags: new Map(Object.entries(tags)) });
    },
  };
}
