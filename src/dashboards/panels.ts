import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  BigValueGraphMode,
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  LegendPlacement,
  LogsSortOrder,
  ReduceDataOptionsBuilder,
  StackingConfigBuilder,
  StackingMode,
  VizLegendOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { DashboardLinkBuilder, DashboardLinkType, ThresholdsConfigBuilder, ThresholdsMode } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as GaugeBuilder } from '@grafana/grafana-foundation-sdk/gauge';
import { PanelBuilder as LogsBuilder } from '@grafana/grafana-foundation-sdk/logs';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

/**
 * Panel factories with our conventions: every panel has a title, a description, a unit and
 * thresholds, and takes its queries from `prom()` / `logql()`. Each call makes fresh SDK builders
 * (the SDK stores built children by reference), and returns the builder so a dashboard can chain
 * any further SDK option.
 */

/** One threshold step: the color from `value` upwards; the first step's value is `null` (base). */
export type Step = readonly [color: string, value: number | null];

/** Options every panel factory takes. */
export interface PanelOptions {
  /** What the panel shows and how to read it (lint requires one). */
  readonly description: string;
  readonly queries: readonly cog.Builder<cog.Dataquery>[];
  /** Grafana unit id (see `@grafana/grafana-foundation-sdk/units`), or `suffix:…`. */
  readonly unit?: string;
  /** Width in grid columns (of 24); default depends on the panel type. */
  readonly span?: number;
  /** Height in grid rows; default 8 (stats: 4). */
  readonly height?: number;
  /** Threshold steps, lowest first; default green only. */
  readonly thresholds?: readonly Step[];
  readonly min?: number;
  readonly max?: number;
  readonly decimals?: number;
  /** Panel links, e.g. to a drill-down dashboard. */
  readonly links?: readonly { readonly title: string; readonly url: string }[];
}

/** Threshold config from steps; base step green when none are given. */
export function thresholds(steps: readonly Step[] = [['green', null]]): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps.map(([color, value]) => ({ color, value })));
}

/** The setters every SDK panel builder shares. */
interface CommonBuilder {
  title(t: string): unknown;
  description(d: string): unknown;
  unit(u: string): unknown;
  span(w: number): unknown;
  height(h: number): unknown;
  thresholds(t: cog.Builder<dashboard.ThresholdsConfig>): unknown;
  min(n: number): unknown;
  max(n: number): unknown;
  decimals(n: number): unknown;
  withTarget(t: cog.Builder<cog.Dataquery>): unknown;
  links(l: cog.Builder<dashboard.DashboardLink>[]): unknown;
}

/** Panel links as SDK builders (fresh per call). */
export function panelLinks(links: readonly { readonly title: string; readonly url: string }[]): DashboardLinkBuilder[] {
  return links.map((l) => new DashboardLinkBuilder(l.title).type(DashboardLinkType.Link).url(l.url));
}

function applyCommon<T extends CommonBuilder>(b: T, title: string, o: PanelOptions, defaults: { span: number; height: number; unit: string }): T {
  b.title(title);
  b.description(o.description);
  b.unit(o.unit ?? defaults.unit);
  b.span(o.span ?? defaults.span);
  b.height(o.height ?? defaults.height);
  b.thresholds(thresholds(o.thresholds));
  if (o.min !== undefined) b.min(o.min);
  if (o.max !== undefined) b.max(o.max);
  if (o.decimals !== undefined) b.decimals(o.decimals);
  if (o.links) b.links(panelLinks(o.links));
  for (const q of o.queries) b.withTarget(q);
  return b;
}

/** Options of a time series panel. */
export interface TimeseriesOptions extends PanelOptions {
  /** Stack series (e.g. parts of a whole). */
  readonly stack?: boolean;
  /** Draw the thresholds as dashed lines (an objective or a limit on the graph). */
  readonly thresholdLines?: boolean;
  /** Legend as a table with these reducers, e.g. `['mean', 'max']`. */
  readonly legendCalcs?: readonly string[];
}

/** A time series graph (default 12 columns wide). */
export function timeseries(title: string, o: TimeseriesOptions): TimeseriesBuilder {
  const b = applyCommon(new TimeseriesBuilder(), title, o, { span: 12, height: 8, unit: 'short' }).fillOpacity(10).lineWidth(1);
  const legend = new VizLegendOptionsBuilder()
    .showLegend(true)
    .placement(LegendPlacement.Bottom)
    .displayMode(o.legendCalcs ? LegendDisplayMode.Table : LegendDisplayMode.List)
    .calcs([...(o.legendCalcs ?? [])]);
  b.legend(legend);
  if (o.stack) b.stacking(new StackingConfigBuilder().mode(StackingMode.Normal));
  if (o.thresholdLines) b.thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed));
  return b;
}

/** A single big number reduced from the last value (default 6 columns × 4 rows). */
export function stat(title: string, o: PanelOptions & { readonly graph?: boolean }): StatBuilder {
  return applyCommon(new StatBuilder(), title, o, { span: 6, height: 4, unit: 'short' })
    .graphMode(o.graph ? BigValueGraphMode.Area : BigValueGraphMode.None)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
}

/** A gauge against min/max and thresholds (default 6 × 6). */
export function gauge(title: string, o: PanelOptions): GaugeBuilder {
  return applyCommon(new GaugeBuilder(), title, o, { span: 6, height: 6, unit: 'percent' }).reduceOptions(
    new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false),
  );
}

/** A table of instant query results (default full width). */
export function table(title: string, o: PanelOptions): TableBuilder {
  return applyCommon(new TableBuilder(), title, o, { span: 24, height: 8, unit: 'short' }).filterable(true);
}

/** Log lines from Loki, newest first (default full width). */
export function logs(title: string, o: Omit<PanelOptions, 'unit' | 'thresholds' | 'min' | 'max' | 'decimals'>): LogsBuilder {
  const b = new LogsBuilder()
    .title(title)
    .description(o.description)
    .span(o.span ?? 24)
    .height(o.height ?? 12)
    .showTime(true)
    .wrapLogMessage(true)
    .enableLogDetails(true)
    .prettifyLogMessage(false)
    .sortOrder(LogsSortOrder.Descending);
  if (o.links) b.links(panelLinks(o.links));
  for (const q of o.queries) b.withTarget(q);
  return b;
}
