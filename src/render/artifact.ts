/** One generated file: `path` is relative to the render output dir, `content` its final text. */
export interface Artifact {
  readonly path: string;
  readonly content: string;
}
