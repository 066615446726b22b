import type { DecisionRecord } from '../ports.js';

/** Distinct values remembered before the table is cleared (memory of the interner itself stays bounded). */
const DEFAULT_CAPACITY = 65_536;

/** Records some interner produced: interning one again returns it as is (no second copy while loading). */
const interned = new WeakSet<DecisionRecord>();

/**
 * Shares the repeated parts of decision records. Decisions of one alert rule repeat the same
 * labels, reason, rule, target and action thousands of times; read back from the log each
 * occurrence is a separate copy. Interning keeps one copy of each, so the memory a retained
 * decision costs is mostly its own id, key, correlation id and time. The time is not interned
 * (nearly every decision has its own); the alert's start shares it when they are equal.
 *
 * Values are compared by content (objects by their JSON), so an interned record is equal to
 * the original in every field. When more than `capacity` distinct values were seen the table
 * starts over: records interned before keep their shared values, later ones share anew.
 */
export class DecisionInterner {
  private readonly strings = new Map<string, string>();
  private readonly objects = new Map<string, object>();

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  /** A record equal to `d` whose repeated strings and objects are shared with earlier records. */
  decision(d: DecisionRecord): DecisionRecord {
    if (interned.has(d)) return d;
    const alert = d.alert;
    const out: DecisionRecord = {
      ...d,
      verdict: this.string(d.verdict),
      reason: this.string(d.reason),
      alert: {
        ...alert,
        // Usually the same instant as the decision: one string serves both.
        startsAt: alert.startsAt === d.at ? d.at : alert.startsAt,
        labels: this.object(alert.labels),
        source: this.string(alert.source),
      },
      ...(d.environment !== undefined ? { environment: this.string(d.environment) } : {}),
      ...(d.rule !== undefined ? { rule: this.string(d.rule) } : {}),
      ...(d.targetName !== undefined ? { targetName: this.string(d.targetName) } : {}),
      ...(d.target !== undefined ? { target: this.string(d.target) } : {}),
      ...(d.action !== undefined ? { action: this.object(d.action) } : {}),
    };
    interned.add(out);
    return out;
  }

  private string<T extends string>(s: T): T {
    const known = this.strings.get(s);
    if (known !== undefined) return known as T;
    if (this.strings.size >= this.capacity) this.strings.clear();
    this.strings.set(s, s);
    return s;
  }

  private object<T extends object>(o: T): T {
    const key = JSON.stringify(o);
    const known = this.objects.get(key);
    if (known !== undefined) return known as T;
    if (this.objects.size >= this.capacity) this.objects.clear();
    this.objects.set(key, o);
    return o;
  }
}
