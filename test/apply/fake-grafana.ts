import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A strict fake of Grafana's legacy HTTP API (`/api/dashboards/*`, `/api/folders`, `/api/search`),
 * following the published API: request shapes, response bodies, status codes, version conflicts,
 * and what Grafana rejects (bad uids, empty titles, long messages, unknown folders, missing auth).
 * It is a contract test double, not Grafana: it checks vigil against the documented API.
 */
export interface FakeGrafanaOptions {
  /** Accepted Bearer token (default `secret-token`). */
  readonly token?: string;
  /** A token that authenticates but may only read (403 on writes). */
  readonly viewerToken?: string;
  /** Emulate Grafana < 11.3: titles unique per folder (412 name-exists). */
  readonly uniqueTitles?: boolean;
  /**
   * Fault injection, asked once per request: a status to answer instead (e.g. 503), `after:503`
   * to commit the write and then answer the status (a lost response), or `hang` to never answer.
   */
  readonly fault?: (req: { method: string; path: string; n: number }) => number | `after:${number}` | 'hang' | undefined;
  /** Delay before each answer, ms. */
  readonly latencyMs?: number;
}

interface StoredDashboard {
  dashboard: Record<string, unknown>;
  folderUid: string;
  id: number;
  version: number;
  /** Every message saved with a version, oldest first. */
  messages: string[];
}

const UID = /^[a-zA-Z0-9_-]+$/;

export class FakeGrafana {
  readonly dashboards = new Map<string, StoredDashboard>();
  readonly folders = new Map<string, { id: number; uid: string; title: string; version: number }>();
  /** Requests seen, as `METHOD path`. */
  readonly requests: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private nextId = 1;
  private server: http.Server | undefined;
  private readonly hanging = new Set<http.ServerResponse>();
  url = '';

  constructor(private readonly o: FakeGrafanaOptions = {}) {}

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const r of this.hanging) r.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** Puts a dashboard in place as if someone created it in the UI (not owned by vigil). */
  seed(dashboard: Record<string, unknown>, folderUid = ''): void {
    this.dashboards.set(String(dashboard.uid), {
      dashboard: { ...dashboard, id: this.nextId, version: 1 },
      folderUid,
      id: this.nextId++,
      version: 1,
      messages: [],
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const url = new URL(req.url ?? '/', 'http://x');
    const n = this.requests.push(`${req.method} ${url.pathname}`);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const send = (status: number, body: unknown) => {
      const out = () => {
        this.inFlight--;
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (this.o.latencyMs) setTimeout(out, this.o.latencyMs);
      else out();
    };
    const fault = this.o.fault?.({ method: req.method ?? '', path: url.pathname, n });
    if (fault === 'hang') {
      this.hanging.add(res);
      res.on('close', () => {
        this.inFlight--;
        this.hanging.delete(res);
      });
      return;
    }
    if (typeof fault === 'number') return send(fault, { message: 'injected failure' });

    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    const admin = token === (this.o.token ?? 'secret-token');
    const viewer = this.o.viewerToken !== undefined && token === this.o.viewerToken;
    if (!admin && !viewer) return send(401, { message: 'Unauthorized' });
    const write = req.method !== 'GET';
    if (write && !admin) return send(403, { message: "You'll need additional permissions to perform this action. Permissions needed: dashboards:write" });

    let body: Record<string, unknown> = {};
    if (write && chunks.length > 0) {
      if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return send(415, { message: 'unsupported content type' });
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        return send(400, { message: 'bad request data' });
      }
    }
    const [status, payload] = this.route(req.method ?? 'GET', url, body);
    if (typeof fault === 'string' && fault.startsWith('after:')) return send(Number(fault.slice(6)), { message: 'injected failure after commit' });
    send(status, payload);
  }

  private route(method: string, url: URL, body: Record<string, unknown>): [number, unknown] {
    const p = url.pathname;
    const q = url.searchParams;
    if (method === 'GET' && p === '/api/health') return [200, { database: 'ok', version: '11.2.0' }];
    if (method === 'GET' && p === '/api/folders') {
      const limit = Number(q.get('limit') ?? 1000);
      const page = Number(q.get('page') ?? 1);
      return [200, [...this.folders.values()].slice((page - 1) * limit, page * limit).map((f) => ({ id: f.id, uid: f.uid, title: f.title }))];
    }
    if (method === 'POST' && p === '/api/folders') {
      const title = typeof body.title === 'string' ? body.title.trim() : '';
      const uid = typeof body.uid === 'string' ? body.uid : `f${this.nextId}`;
      if (title === '') return [400, { message: 'folder title cannot be empty' }];
      if (!UID.test(uid) || uid.length > 40) return [400, { message: 'uid contains illegal characters' }];
      if (uid === 'general') return [400, { message: 'cannot use the uid general' }];
      if (this.folders.has(uid)) return [409, { message: 'a folder with the same uid already exists' }];
      if ([...this.folders.values()].some((f) => f.title === title))
        return [409, { message: 'a folder or dashboard in the general folder with the same name already exists' }];
      const f = { id: this.nextId++, uid, title, version: 1 };
      this.folders.set(uid, f);
      return [200, { ...f, url: `/dashboards/f/${uid}/` }];
    }
    const m = /^\/api\/folders\/([^/]+)$/.exec(p);
    if (method === 'GET' && m) {
      const f = this.folders.get(decodeURIComponent(m[1]!));
      return f ? [200, f] : [404, { message: 'folder not found' }];
    }
    const d = /^\/api\/dashboards\/uid\/([^/]+)$/.exec(p);
    if (d) {
      const uid = decodeURIComponent(d[1]!);
      const s = this.dashboards.get(uid);
      if (!s) return [404, { message: 'Dashboard not found' }];
      if (method === 'GET')
        return [
          200,
          {
            dashboard: s.dashboard,
            meta: {
              slug: slug(String(s.dashboard.title)),
              url: `/d/${uid}/${slug(String(s.dashboard.title))}`,
              folderUid: s.folderUid,
              folderId: this.folders.get(s.folderUid)?.id ?? 0,
              version: s.version,
              provisioned: false,
            },
          },
        ];
      if (method === 'DELETE') {
        this.dashboards.delete(uid);
        return [200, { title: s.dashboard.title, message: `Dashboard ${String(s.dashboard.title)} deleted`, id: s.id }];
      }
    }
    if (method === 'POST' && p === '/api/dashboards/db') return this.save(body);
    if (method === 'GET' && p === '/api/search') {
      const tags = q.getAll('tag');
      const folders = q.getAll('folderUIDs').flatMap((x) => x.split(','));
      const type = q.get('type');
      if (type !== null && type !== 'dash-db' && type !== 'dash-folder') return [400, { message: 'invalid type' }];
      const limit = Math.min(Number(q.get('limit') ?? 1000), 5000);
      const page = Number(q.get('page') ?? 1);
      const hits = [...this.dashboards.entries()]
        .filter(() => type !== 'dash-folder')
        .filter(([, s]) => tags.every((t) => ((s.dashboard.tags as string[] | undefined) ?? []).includes(t)))
        .filter(([, s]) => folders.length === 0 || folders.includes(s.folderUid || 'general'))
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([uid, s]) => ({
          id: s.id,
          uid,
          title: s.dashboard.title,
          url: `/d/${uid}`,
          type: 'dash-db',
          tags: s.dashboard.tags ?? [],
          isStarred: false,
          ...(s.folderUid ? { folderUid: s.folderUid, folderTitle: this.folders.get(s.folderUid)?.title } : {}),
        }));
      return [200, hits.slice((page - 1) * limit, page * limit)];
    }
    return [404, { message: 'Not found' }];
  }

  private save(body: Record<string, unknown>): [number, unknown] {
    const dash = body.dashboard;
    if (!dash || typeof dash !== 'object' || Array.isArray(dash)) return [400, { message: 'bad request data' }];
    const d = dash as Record<string, unknown>;
    const title = typeof d.title === 'string' ? d.title.trim() : '';
    if (title === '') return [400, { status: 'empty-name', message: 'Dashboard title cannot be empty' }];
    const uid = typeof d.uid === 'string' && d.uid !== '' ? d.uid : `gen${this.nextId}`;
    if (uid.length > 40) return [400, { message: 'uid too long, max 40 characters' }];
    if (!UID.test(uid)) return [400, { message: 'uid contains illegal characters' }];
    if (typeof body.message === 'string' && body.message.length > 500) return [400, { message: 'message too long, max 500 characters' }];
    const folderUid = typeof body.folderUid === 'string' ? body.folderUid : '';
    if (folderUid !== '' && !this.folders.has(folderUid)) return [404, { message: 'Folder not found' }];
    const existing = this.dashboards.get(uid);
    if (d.id !== null && d.id !== undefined && (!existing || existing.id !== d.id)) return [404, { status: 'not-found', message: 'Dashboard not found' }];
    if (existing && body.overwrite !== true && d.version !== existing.version)
      return [412, { status: 'version-mismatch', message: 'The dashboard has been changed by someone else' }];
    if (this.o.uniqueTitles) {
      for (const [u, s] of this.dashboards)
        if (u !== uid && s.folderUid === folderUid && String(s.dashboard.title) === title)
          return [412, { status: 'name-exists', message: 'A dashboard with the same name in the folder already exists' }];
    }
    const id = existing?.id ?? this.nextId++;
    const version = (existing?.version ?? 0) + 1;
    const stored = { ...d, id, uid, version };
    this.dashboards.set(uid, {
      dashboard: stored,
      folderUid,
      id,
      version,
      messages: [...(existing?.messages ?? []), typeof body.message === 'string' ? body.message : ''],
    });
    return [200, { id, uid, url: `/d/${uid}/${slug(title)}`, status: 'success', version, slug: slug(title) }];
  }
}

function slug(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
