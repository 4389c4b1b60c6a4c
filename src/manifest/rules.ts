import type { Severity } from "./types.js";

/** Every rule the validator can report, with its severity and a one-line summary (docs and tests use it). */
export const RULES = {
  "file-too-large": { severity: "error", summary: "The file is larger than 256 KiB and is not parsed." },
  "invalid-utf8": { severity: "error", summary: "The file is not valid UTF-8." },
  "yaml-syntax": { severity: "error", summary: "The file is not valid YAML." },
  "duplicate-key": { severity: "error", summary: "A mapping has the same key twice." },
  "alias-limit": { severity: "error", summary: "Too many YAML alias expansions (a billion-laughs guard)." },
  "too-deep": { severity: "error", summary: "The YAML is nested too deeply to process." },
  "empty-file": { severity: "error", summary: "The file has no content." },
  "not-a-map": { severity: "error", summary: "The top level is not a mapping of fields." },
  "forbidden-key": { severity: "error", summary: "A key is `__proto__`, `constructor` or `prototype`." },
  "schema-version-missing": { severity: "error", summary: "`schemaVersion` is missing." },
  "schema-version-unsupported": { severity: "error", summary: "`schemaVersion` is not a supported version." },
  "unknown-field": { severity: "error", summary: "A field the format does not define (with a did-you-mean hint)." },
  "missing-field": { severity: "error", summary: "A required field is missing." },
  "wrong-type": { severity: "error", summary: "A value has the wrong type." },
  "invalid-enum": { severity: "error", summary: "A value is not one of the allowed options." },
  "invalid-format": { severity: "error", summary: "A string does not have the required form (slug, permission, UUID, name)." },
  "out-of-range": { severity: "error", summary: "A string, list or number is too short, too long, too small or too big." },
  "invalid-value": { severity: "error", summary: "Any other value the schema rejects." },
  "invalid-file-name": { severity: "error", summary: "No `slug` is set and the file name is not a valid slug." },
  "duplicate-slug": { severity: "error", summary: "Two manifests have the same slug." },
  "duplicate-service-key": { severity: "error", summary: "Two services in one manifest have the same key." },
  "duplicate-permission": { severity: "error", summary: "A service lists the same permission twice." },
  "duplicate-activation-variable": { severity: "error", summary: "A service has two activation variables with the same name." },
  "deprecated-version-not-older": { severity: "error", summary: "A service deprecates its current version or a later one." },
  "empty-description": { severity: "warning", summary: "An application or service description is empty." },
  "public-draft": { severity: "warning", summary: "A new application (no `portalApplicationId`) is public." },
  "shared-public": { severity: "warning", summary: "`sharedWith` is set on a public application, where it has no effect." },
  "slug-mismatch": { severity: "warning", summary: "The slug differs from the file name." },
} as const satisfies Record<string, { severity: Severity; summary: string }>;

export type RuleId = keyof typeof RULES;
