import type { ImportRun } from './outcome.js';
import type { InputFile } from './slo-importer.js';

/**
 * One `vigil import <kind>`: reads input files, reports per source object, and returns the files
 * to write under `--out`. Adding a kind is one module under src/import/<kind>/ and one line below.
 */
export interface Importer {
  readonly kind: string;
  /** One line for `vigil import --help`. */
  readonly summary: string;
  /** File name endings read when a directory is given. */
  readonly extensions: readonly string[];
  /** Default `--out`, relative to `--root`. */
  readonly defaultOut: string;
  importFiles(files: readonly InputFile[], options?: ImportOptions): ImportRun;
}

/** Flags an importer may honour (the CLI passes them to every kind; a kind ignores what it has no use for). */
export interface ImportOptions {
  /** `--period`: the SLO period for formats that do not carry one (Sloth's `--default-slo-period`). */
  readonly period?: string;
}

/** The importers by kind, loaded lazily. */
export const IMPORTERS: Readonly<Record<string, () => Promise<Importer>>> = {
  openslo: async () => (await import('./openslo/import-openslo.js')).opensloImporter,
  sloth: async () => (await import('./sloth/import-sloth.js')).slothImporter,
  pyrra: async () => (await import('./pyrra/import-pyrra.js')).pyrraImporter,
};
