import type { DecisionView } from '../app/decision-state.js';
import { HttpClient } from '../../runtime/http-client.js';
import { ACTION_HTTP } from './action-http.js';
import { FORWARDED_HEADER } from '../ports.js';

/** Reads the leader's newest decisions over its API (`GET /v1/decisions`), for a standby to replicate. */
export class LeaderDecisions {
  private readonly http: HttpClient;

  constructor(token: string, identity: string) {
    // Marked as forwarded: a replica that is not the leader answers 503 instead of passing it on.
    this.http = new HttpClient({ ...ACTION_HTTP, headers: { ...ACTION_HTTP.headers, [FORWARDED_HEADER]: identity }, bearerToken: token, timeoutMs: 5_000 });
  }

  async fetch(leaderUrl: string, limit: number, signal?: AbortSignal): Promise<DecisionView[]> {
    const res = await this.http.request<{ decisions?: DecisionView[] }>({
      url: `${leaderUrl.replace(/\/$/, '')}/v1/decisions`,
      query: { limit },
      ...(signal ? { signal } : {}),
    });
    if (!Array.isArray(res.body?.decisions)) throw new Error(`${leaderUrl}/v1/decisions answered no decision list`);
    return res.body.decisions;
  }
}
