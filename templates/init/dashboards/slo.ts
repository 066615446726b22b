import { sloDashboards, type DashboardInput } from 'vigil-monitoring/dashboards';

/** One SLO dashboard per service in slos/, at the uid every SLO alert's dashboard_url links to. */
export default (input: DashboardInput) => sloDashboards(input.slos);
