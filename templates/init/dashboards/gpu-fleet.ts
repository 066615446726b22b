import { gpuFleetDashboard } from 'vigil-monitoring/dashboards';

/** vigil's built-in GPU fleet dashboard (dcgm-exporter names), used by reference. */
export default gpuFleetDashboard;
