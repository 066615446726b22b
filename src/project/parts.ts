import type { ProjectPart } from './types.js';
import { slosPart } from './parts/slos.js';
import { alertsPart } from './parts/alerts.js';
import { routingPart } from './parts/routing.js';
import { prometheusRuleCrdPart } from './parts/prometheus-rule-crds.js';
import { rolloutsPart } from '../generate/rollouts/rollouts-part.js';
import { exporterPart } from '../../exporters/gpu/kubernetes/exporter-part.js';
import { dashboardsPart } from './parts/dashboards.js';

/**
 * The parts of a project build, in order. SLOs come first: later parts read `ctx.slos` and the
 * metric catalog. Each feature adds its part here. The exporter part runs early: it declares the
 * exporter's metrics in the catalog that later parts check against.
 */
export const projectParts: readonly ProjectPart[] = [slosPart, exporterPart, alertsPart, routingPart, prometheusRuleCrdPart, rolloutsPart, dashboardsPart];
