import type { ManifestV1 } from "./schema.js";

export interface ManifestFile {
  path: string;
  content: string | Uint8Array;
}

export type Severity = "error" | "warning";

export interface Position {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface Problem extends Position {
  file: string;
  /** RFC 6901 JSON Pointer into the manifest, "" for the root. */
  pointer: string;
  severity: Severity;
  /** Stable rule id, e.g. "unknown-field". */
  rule: string;
  /** One sentence that names the field and says how to fix it. */
  message: string;
}

export interface ValidatedManifest {
  file: string;
  manifest: ManifestV1;
  /** Best position for a pointer, falling back to the nearest existing parent. */
  locate(pointer: string): Position;
}

export interface ValidationReport {
  /** Only files with no errors. */
  manifests: ValidatedManifest[];
  /** Sorted by file, line, column. */
  problems: Problem[];
}

/** Files larger than this are reported and never parsed. */
export const MAX_MANIFEST_BYTES = 256 * 1024;
