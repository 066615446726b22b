import { logsDashboard } from '../src/dashboards/index.js';

/** vigil's built-in logs dashboard, used by reference (vigil-monitoring/dashboards). */
export default logsDashboard;
