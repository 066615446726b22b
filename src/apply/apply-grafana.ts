import { DASHBOARD_OWNER_TAG } from '../conventions.js';
import { GrafanaApiError, type GrafanaClient } from './grafana-client.js';
import { planGrafana, type PlanItem, type RemoteState } from './grafana-plan.js';
import { mapWithConcurrency } from '../runtime/map-with-concurrency.js';

/** Options of a Grafana diff or apply. */
export interface GrafanaApplyOptions {
  /** Folder title; created when missing. Undefined: the General folder. */
  readonly folder: string | undefined;
  readonly prune: boolean;
  readonly dryRun: boolean;
  /** Requests in flight at most (default 4). */
  readonly concurrency?: number;
  /** Version message (e.g. the git commit). */
  readonly message: string;
}

/** What an apply did. */
export interface GrafanaApplyResult {
  readonly plan: readonly PlanItem[];
  /** Folder uid used, and whether it was (or, dry-run, would be) created. */
  readonly folder: { readonly uid: string | undefined; readonly created: boolean };
  readonly failures: readonly { readonly uid: string; readonly message: string }[];
}

/** A folder uid from its title: lowercase, `[a-z0-9-]`, at most 40 characters; never `general`. */
export function folderUidFor(title: string): string {
  const slug =
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'vigil';
  return slug === 'general' ? 'vigil-general' : slug;
}

async function resolveFolder(
  client: GrafanaClient,
  title: string | undefined,
  create: boolean,
): Promise<{ uid: string | undefined; created: boolean; exists: boolean }> {
  if (title === undefined || title === '' || title.toLowerCase() === 'general') return { uid: undefined, created: false, exists: true };
  const folders = await client.listFolders();
  const found = folders.find((f) => f.title === title) ?? folders.find((f) => f.uid === folderUidFor(title));
  if (found) return { uid: found.uid, created: false, exists: true };
  if (!create) return { uid: folderUidFor(title), created: true, exists: false };
  const made = await client.createFolder(folderUidFor(title), title);
  return { uid: made.uid, created: true, exists: true };
}

/**
 * Diffs (dryRun) or applies `dashboards` to Grafana: resolves or creates the folder, reads the
 * current state of every uid with bounded concurrency, plans, then upserts and (with prune)
 * deletes. Conflicts and failures are reported per dashboard; the rest still applies.
 */
export async function applyGrafana(client: GrafanaClient, dashboards: readonly Record<string, unknown>[], o: GrafanaApplyOptions): Promise<GrafanaApplyResult> {
  const limit = o.concurrency ?? 4;
  const folder = await resolveFolder(client, o.folder, !o.dryRun);
  const states = await mapWithConcurrency(dashboards, limit, async (d) => {
    const r = await client.getDashboard(String(d.uid));
    const state: RemoteState | undefined = r
      ? { dashboard: r.dashboard, folderUid: r.meta.folderUid || undefined, provisioned: r.meta.provisioned === true }
      : undefined;
    return [String(d.uid), state] as const;
  });
  const owned =
    o.prune && folder.exists
      ? (await client.searchByTag(DASHBOARD_OWNER_TAG, folder.uid)).filter((h) => (folder.uid ? h.folderUid === folder.uid : !h.folderUid))
      : [];
  const plan = planGrafana(dashboards, new Map(states), { folderUid: folder.uid, prune: o.prune, ownedInFolder: owned });
  const failures: { uid: string; message: string }[] = plan.filter((p) => p.action === 'conflict').map((p) => ({ uid: p.uid, message: p.details.join('; ') }));
  if (o.dryRun) return { plan, folder: { uid: folder.uid, created: folder.created }, failures };

  const byUid = new Map(dashboards.map((d) => [String(d.uid), d]));
  const work = plan.filter((p) => p.action === 'create' || p.action === 'update' || p.action === 'delete');
  await mapWithConcurrency(work, limit, async (p) => {
    try {
      if (p.action === 'delete') {
        // Re-check ownership right before deleting: the search result may be stale.
        const current = await client.getDashboard(p.uid);
        if (current && Array.isArray(current.dashboard.tags) && current.dashboard.tags.includes(DASHBOARD_OWNER_TAG)) await client.deleteDashboard(p.uid);
      } else {
        await client.saveDashboard(byUid.get(p.uid)!, folder.uid, o.message);
      }
    } catch (err) {
      failures.push({ uid: p.uid, message: err instanceof GrafanaApiError ? err.message : String(err) });
    }
  });
  failures.sort((a, b) => a.uid.localeCompare(b.uid));
  return { plan, folder: { uid: folder.uid, created: folder.created }, failures };
}
