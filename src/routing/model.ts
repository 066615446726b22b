import type { LabelMatcher } from '../query/promql.js';
import type { ReceiverSpec, RulePlacementSpec } from './schema.js';

export type Severity = 'critical' | 'warning' | 'info';

/** How one severity escalates: receivers in notification order, repeat interval, active/mute windows. */
export interface EscalationModel {
  readonly receivers: readonly string[];
  readonly repeat?: string;
  readonly activeIn?: readonly string[];
  readonly muteIn?: readonly string[];
}

/** A route placed before team routing: matching alerts go to a team's escalation or to receivers. */
export interface RouteModel {
  readonly matchers: readonly LabelMatcher[];
  readonly team?: string;
  readonly receivers?: readonly string[];
  readonly continue: boolean;
}

export interface RouteTestCase {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly receivers: readonly string[];
}

/** The validated routing policy, everything a generator needs. */
export interface RoutingModel {
  readonly file: string;
  readonly defaultReceiver: string;
  readonly grouping: { readonly by: readonly string[]; readonly wait?: string; readonly interval?: string };
  readonly smtp?: {
    readonly smarthost: string;
    readonly from: string;
    readonly auth_username?: string;
    readonly auth_password_file?: string;
    readonly require_tls?: boolean;
  };
  readonly receivers: Readonly<Record<string, ReceiverSpec>>;
  readonly teams: Readonly<Record<string, Partial<Record<Severity, EscalationModel>>>>;
  readonly routes: readonly RouteModel[];
  readonly inhibitions: readonly {
    readonly name?: string;
    readonly source: readonly LabelMatcher[];
    readonly target: readonly LabelMatcher[];
    readonly equal: readonly string[];
  }[];
  readonly timeIntervals: Readonly<Record<string, readonly Record<string, unknown>[]>>;
  readonly tests: readonly RouteTestCase[];
  /** Where rule files go (namespaces, Mimir tenants); undefined when the policy has no `rulePlacement:`. */
  readonly rulePlacement?: RulePlacementModel;
}

/** A position in the routing file, for diagnostics about one of its entries. */
export interface RoutingPosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly path: string;
}

/** The `rulePlacement:` section with the positions of the entries validators report on. */
export interface RulePlacementModel {
  readonly spec: RulePlacementSpec;
  /** The `rulePlacement` key. */
  readonly at: RoutingPosition;
  /** Each `rulePlacement.teams.<team>` key. */
  readonly teamsAt: Readonly<Record<string, RoutingPosition>>;
  /** Each `rulePlacement.files.<name>` key. */
  readonly filesAt: Readonly<Record<string, RoutingPosition>>;
}
