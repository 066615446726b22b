import { gpuFleetDashboard } from '../src/dashboards/index.js';

/** vigil's built-in gpu-fleet dashboard, used by reference (vigil-monitoring/dashboards). */
export default gpuFleetDashboard;
