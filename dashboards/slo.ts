import type { DashboardInput } from '../src/dashboards/index.js';
import { sloDashboards } from '../src/dashboards/slo-dashboard.js';

/** One SLO dashboard per service in slos/ (uid `vigil-slo-<service>`, where the SLO alerts link). */
export default (input: DashboardInput) => sloDashboards(input.slos);
