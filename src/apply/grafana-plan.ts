import { DASHBOARD_OWNER_TAG } from '../conventions.js';

/** What apply does to one dashboard. */
export type PlanAction = 'create' | 'update' | 'unchanged' | 'delete' | 'conflict';

/** One line of a plan: the dashboard, the action, and why. */
export interface PlanItem {
  readonly uid: string;
  readonly title: string;
  readonly action: PlanAction;
  /** For updates: the JSON paths that differ (first few) or the folder move; for conflicts: why. */
  readonly details: readonly string[];
}

/** What Grafana holds for one local uid (undefined: nothing). */
export interface RemoteState {
  readonly dashboard: Record<string, unknown>;
  readonly folderUid: string | undefined;
  readonly provisioned?: boolean;
}

/** Whether a dashboard carries vigil's ownership tag. */
export function isOwned(d: Record<string, unknown>): boolean {
  return Array.isArray(d.tags) && d.tags.includes(DASHBOARD_OWNER_TAG);
}

/** Fields Grafana manages itself; they never count as a change. */
const VOLATILE = new Set(['id', 'version']);

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = canonical((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** Paths where `a` and `b` differ (depth-first, at most `limit`). */
export function diffPaths(a: unknown, b: unknown, limit = 5, at = ''): string[] {
  if (JSON.stringify(canonical(a)) === JSON.stringify(canonical(b))) return [];
  const isObj = (x: unknown) => x !== null && typeof x === 'object';
  if (!isObj(a) || !isObj(b) || Array.isArray(a) !== Array.isArray(b)) return [at || '(root)'];
  const out: string[] = [];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort((x, y) => (Array.isArray(a) ? Number(x) - Number(y) : x.localeCompare(y)));
  for (const k of keys) {
    if (at === '' && VOLATILE.has(k)) continue;
    const p = Array.isArray(a) ? `${at}[${k}]` : at ? `${at}.${k}` : k;
    for (const d of diffPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], limit - out.length, p)) {
      out.push(d);
      if (out.length >= limit) return out;
    }
  }
  return out;
}

/**
 * Plans an apply (pure): each local dashboard is created, updated (content or folder differs) or
 * unchanged; a uid held by a dashboard vigil does not own is a conflict, never overwritten. With
 * `prune`, owned dashboards in the folder that are no longer local are deleted.
 */
export function planGrafana(
  local: readonly Record<string, unknown>[],
  remote: ReadonlyMap<string, RemoteState | undefined>,
  o: { readonly folderUid: string | undefined; readonly prune: boolean; readonly ownedInFolder?: readonly { uid: string; title: string }[] },
): PlanItem[] {
  const items: PlanItem[] = [];
  const localUids = new Set<string>();
  for (const d of local) {
    const uid = String(d.uid);
    const title = typeof d.title === 'string' ? d.title : '';
    localUids.add(uid);
    const r = remote.get(uid);
    if (!r) {
      items.push({ uid, title, action: 'create', details: [] });
      continue;
    }
    if (r.provisioned) {
      items.push({ uid, title, action: 'conflict', details: ['Grafana holds a file-provisioned dashboard with this uid; the API cannot change it'] });
      continue;
    }
    if (!isOwned(r.dashboard)) {
      items.push({
        uid,
        title,
        action: 'conflict',
        details: [
          `a dashboard vigil does not own (${JSON.stringify(r.dashboard.title ?? '')}, no ${DASHBOARD_OWNER_TAG} tag) has this uid; vigil will not overwrite it`,
        ],
      });
      continue;
    }
    const details = diffPaths(r.dashboard, d);
    if ((r.folderUid ?? '') !== (o.folderUid ?? ''))
      details.unshift(`folder ${JSON.stringify(r.folderUid ?? 'General')} → ${JSON.stringify(o.folderUid ?? 'General')}`);
    items.push({ uid, title, action: details.length > 0 ? 'update' : 'unchanged', details });
  }
  if (o.prune) {
    for (const h of o.ownedInFolder ?? []) {
      if (!localUids.has(h.uid)) items.push({ uid: h.uid, title: h.title, action: 'delete', details: ['owned by vigil and no longer rendered'] });
    }
  }
  return items.sort((a, b) => a.uid.localeCompare(b.uid));
}

const SIGN: Record<PlanAction, string> = { create: '+', update: '~', unchanged: '=', delete: '-', conflict: '!' };

/** The plan as text, one dashboard per line with indented details, then a summary line. */
export function formatPlan(items: readonly PlanItem[], o: { readonly showUnchanged?: boolean } = {}): string {
  const lines: string[] = [];
  for (const i of items) {
    if (i.action === 'unchanged' && !o.showUnchanged) continue;
    lines.push(`${SIGN[i.action]} ${i.action} ${i.uid} (${i.title})`);
    for (const d of i.details) lines.push(`    ${d}`);
  }
  const count = (a: PlanAction) => items.filter((i) => i.action === a).length;
  lines.push(
    `${count('create')} to create, ${count('update')} to update, ${count('delete')} to delete, ${count('unchanged')} unchanged, ${count('conflict')} conflict(s)`,
  );
  return `${lines.join('\n')}\n`;
}
