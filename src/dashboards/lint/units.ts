import * as units from '@grafana/grafana-foundation-sdk/units';

/** Every unit id the Foundation SDK knows (Grafana's built-in units). */
const KNOWN_UNITS: ReadonlySet<string> = new Set((Object.values(units) as unknown[]).filter((v): v is string => typeof v === 'string'));

/** Grafana's custom unit forms, e.g. `suffix: MHz`, `si:B`, `count:req`. */
const CUSTOM_UNIT = /^(suffix|prefix|si|count|currency|time|bool):/;

/** Whether Grafana recognises `unit` (panel-units-rule). */
export function isValidUnit(unit: string): boolean {
  return KNOWN_UNITS.has(unit) || CUSTOM_UNIT.test(unit);
}
