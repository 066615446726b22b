import type { Diagnostics } from '../diagnostics.js';
import type { ProjectModel } from '../project/project-model.js';
import { checkAlertNamesUnique } from './alert-names-unique.js';
import { checkAlertsRouted } from './alerts-routed.js';
import { checkDashboardLinks } from './dashboard-links.js';
import { checkDashboardLint } from './dashboard-lint.js';
import { checkDashboardUids } from './dashboard-uids.js';
import { checkK6Services } from './k6-services.js';
import { checkRulePlacement } from './rule-placement.js';
import { checkSloIntervals } from './slo-intervals.js';
import { checkSloTestsPlanned } from './slo-tests-planned.js';

/** A check across the kinds of a loaded project; it reads only the model and reports located diagnostics. */
export type ProjectCheck = (model: ProjectModel, diags: Diagnostics) => void;

/**
 * The cross-kind checks, in order (checks that only make sense on an otherwise valid project,
 * such as rule placement, look at the diagnostics so far). A new check is a file here plus a line.
 */
export const projectChecks: readonly ProjectCheck[] = [
  checkAlertNamesUnique,
  checkAlertsRouted,
  checkRulePlacement,
  checkSloIntervals,
  checkSloTestsPlanned,
  checkDashboardUids,
  checkDashboardLint,
  checkDashboardLinks,
  checkK6Services,
];

/** Runs every cross-kind check over the model. */
export function validateProject(model: ProjectModel, diags: Diagnostics): void {
  for (const check of projectChecks) check(model, diags);
}
