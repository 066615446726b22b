import { clusterHealthDashboard } from '../src/dashboards/index.js';

/** vigil's built-in cluster-health dashboard, used by reference (vigil-monitoring/dashboards). */
export default clusterHealthDashboard;
