import type { ManifestFile } from "../../src/manifest/index.js";
import { MAX_MANIFEST_BYTES } from "../../src/manifest/index.js";

/** A small valid manifest; line numbers below refer to it. */
export const VALID_YAML = `schemaVersion: 1
name: Invoices
description: Syncs invoices.
services:
  - key: invoices
    name: Invoices
    description: Syncs supplier invoices.
    activationLevel: company
    version: 1
    permissions:
      - accounts.company:read
`;

export function replaceLine(yaml: string, lineNumber: number, replacement: string): string {
  const lines = yaml.split("\n");
  lines[lineNumber - 1] = replacement;
  return lines.join("\n");
}

/** Billion laughs: nine levels of nine aliases each. */
export function aliasBomb(): string {
  let yaml = "schemaVersion: 1\nlol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (let level = 1; level < 10; level += 1) {
    const previous = `*lol${level - 1}`;
    yaml += `lol${level}: &lol${level} [${Array.from({ length: 9 }, () => previous).join(", ")}]\n`;
  }
  return yaml;
}

export interface RuleCase {
  name: string;
  files: ManifestFile[];
  /** The file the expected problem is in (default: the first). */
  file?: string;
  rule: string;
  severity: "error" | "warning";
  line: number;
  /** undefined: not asserted. */
  column: number | undefined;
  pointer?: string;
  fragment: string;
}

const file = (content: string | Uint8Array, path = "apps/invoices.yml"): ManifestFile[] => [{ path, content }];
const encoder = new TextEncoder();

export const RULE_CASES: RuleCase[] = [
  {
    name: "a file over 256 KiB is not parsed",
    files: file(`schemaVersion: 1\n# ${"x".repeat(MAX_MANIFEST_BYTES)}\n`),
    rule: "file-too-large",
    severity: "error",
    line: 1,
    column: 1,
    fragment: "larger than 256 KiB",
  },
  {
    name: "invalid UTF-8 is reported at its line",
    files: file(new Uint8Array([...encoder.encode("schemaVersion: 1\nname: caf"), 0xe9, ...encoder.encode("\n")])),
    rule: "invalid-utf8",
    severity: "error",
    line: 2,
    column: 10,
    fragment: "offset 26",
  },
  {
    name: "a YAML syntax error carries the parser's position",
    files: file("schemaVersion: 1\nname: [Invoices\ndescription: x\n"),
    rule: "yaml-syntax",
    severity: "error",
    line: 3,
    column: 1,
    fragment: "YAML syntax error",
  },
  {
    name: "a duplicate key points at the second occurrence",
    files: file(`${VALID_YAML}name: Again\n`),
    rule: "duplicate-key",
    severity: "error",
    line: 12,
    column: 1,
    fragment: "`name` appears more than once",
  },
  {
    name: "an alias bomb is refused",
    files: file(aliasBomb()),
    rule: "alias-limit",
    severity: "error",
    line: 3,
    column: 14,
    fragment: "aliases more than 50 times",
  },
  {
    name: "nesting too deep for the parser",
    // Deep enough to exhaust any default stack, still under the size limit.
    files: file(`schemaVersion: 1\nname: ${"[".repeat(100_000)}\n`),
    rule: "too-deep",
    severity: "error",
    line: 2,
    // The column depends on the stack size of the running Node.
    column: undefined,
    fragment: "nested too deeply",
  },
  {
    name: "an empty file",
    files: file(""),
    rule: "empty-file",
    severity: "error",
    line: 1,
    column: 1,
    fragment: "add a manifest starting with `schemaVersion: 1`",
  },
  {
    name: "a file of only comments is empty",
    files: file("# nothing yet\n"),
    rule: "empty-file",
    severity: "error",
    line: 1,
    column: 1,
    fragment: "The file is empty",
  },
  {
    name: "a top-level list",
    files: file("- schemaVersion: 1\n"),
    rule: "not-a-map",
    severity: "error",
    line: 1,
    column: 1,
    fragment: "mapping of fields",
  },
  {
    name: "a top-level scalar",
    files: file("just text\n"),
    rule: "not-a-map",
    severity: "error",
    line: 1,
    column: 1,
    fragment: "not a list or a single value",
  },
  {
    name: "__proto__ inside configuration",
    files: file(`${VALID_YAML}    configuration:\n      __proto__: { polluted: true }\n`),
    rule: "forbidden-key",
    severity: "error",
    line: 13,
    column: 7,
    pointer: "/services/0/configuration/__proto__",
    fragment: "`__proto__` is not allowed",
  },
  {
    name: "constructor at the top level",
    files: file(`${VALID_YAML}constructor: x\n`),
    rule: "forbidden-key",
    severity: "error",
    line: 12,
    column: 1,
    pointer: "/constructor",
    fragment: "`constructor`",
  },
  {
    name: "schemaVersion missing",
    files: file(VALID_YAML.split("\n").slice(1).join("\n")),
    rule: "schema-version-missing",
    severity: "error",
    line: 1,
    column: 1,
    fragment: "add `schemaVersion: 1`",
  },
  {
    name: "schemaVersion unsupported",
    files: file(replaceLine(VALID_YAML, 1, "schemaVersion: 2")),
    rule: "schema-version-unsupported",
    severity: "error",
    line: 1,
    column: 16,
    pointer: "/schemaVersion",
    fragment: "only 1 is supported",
  },
  {
    name: "an unknown top-level field with a hint",
    files: file(replaceLine(VALID_YAML, 4, "servics:")),
    rule: "unknown-field",
    severity: "error",
    line: 4,
    column: 1,
    pointer: "/servics",
    fragment: "did you mean `services`?",
  },
  {
    name: "an unknown service field with a hint",
    files: file(replaceLine(VALID_YAML, 8, "    activation_level: company")),
    rule: "unknown-field",
    severity: "error",
    line: 8,
    column: 5,
    pointer: "/services/0/activation_level",
    fragment: "did you mean `activationLevel`?",
  },
  {
    name: "an unknown field far from any known one lists the known fields",
    files: file(`${VALID_YAML}zebra: 1\n`),
    rule: "unknown-field",
    severity: "error",
    line: 12,
    column: 1,
    fragment: "known fields: schemaVersion",
  },
  {
    name: "a required field missing",
    files: file(VALID_YAML.replace("name: Invoices\n", "")),
    rule: "missing-field",
    severity: "error",
    line: 1,
    column: 1,
    pointer: "/name",
    fragment: "required field `name` is missing from the manifest",
  },
  {
    name: "a required service field missing",
    files: file(VALID_YAML.replace("    activationLevel: company\n", "")),
    rule: "missing-field",
    severity: "error",
    line: 5,
    column: 5,
    pointer: "/services/0/activationLevel",
    fragment: "`activationLevel` is missing from `services[0]`",
  },
  {
    name: "a quoted number",
    files: file(replaceLine(VALID_YAML, 9, '    version: "1"')),
    rule: "wrong-type",
    severity: "error",
    line: 9,
    column: 14,
    pointer: "/services/0/version",
    fragment: "remove the quotes",
  },
  {
    name: "services as a map",
    files: file("schemaVersion: 1\nname: X\ndescription: Y\nservices:\n  key: invoices\n"),
    rule: "wrong-type",
    severity: "error",
    line: 5,
    column: 3,
    pointer: "/services",
    fragment: "`services` must be a list, not a mapping",
  },
  {
    name: "an activation level outside the list",
    files: file(replaceLine(VALID_YAML, 8, "    activationLevel: realestate")),
    rule: "invalid-enum",
    severity: "error",
    line: 8,
    column: 22,
    pointer: "/services/0/activationLevel",
    fragment: "did you mean `real_estate`?",
  },
  {
    name: "a permission in the wrong form",
    files: file(replaceLine(VALID_YAML, 11, "      - accounts:read")),
    rule: "invalid-format",
    severity: "error",
    line: 11,
    column: 9,
    pointer: "/services/0/permissions/0",
    fragment: "`accounts.company:read`",
  },
  {
    name: "a slug with capitals",
    files: file(`slug: Invoices_App\n${VALID_YAML}`),
    rule: "invalid-format",
    severity: "error",
    line: 1,
    column: 7,
    pointer: "/slug",
    fragment: "such as `invoices-app`",
  },
  {
    name: "a portalApplicationId that is not a UUID",
    files: file(`${VALID_YAML}portalApplicationId: not-a-uuid\n`),
    rule: "invalid-format",
    severity: "error",
    line: 12,
    column: 22,
    fragment: "must be a UUID",
  },
  {
    name: "version zero",
    files: file(replaceLine(VALID_YAML, 9, "    version: 0")),
    rule: "out-of-range",
    severity: "error",
    line: 9,
    column: 14,
    fragment: "positive whole number",
  },
  {
    name: "no services",
    files: file(VALID_YAML.split("\n").slice(0, 3).join("\n") + "\nservices: []\n"),
    rule: "out-of-range",
    severity: "error",
    line: 4,
    column: 11,
    pointer: "/services",
    fragment: "`services` must list at least 1 item",
  },
  {
    name: "a configuration value that is not JSON (infinity)",
    files: file(`${VALID_YAML}    configuration:\n      limit: .inf\n`),
    rule: "invalid-value",
    severity: "error",
    line: 13,
    column: 14,
    pointer: "/services/0/configuration/limit",
    fragment: "must be a JSON value",
  },
  {
    name: "a file name that is not a slug and no slug field",
    files: file(VALID_YAML, "apps/My Invoices.yml"),
    rule: "invalid-file-name",
    severity: "error",
    line: 1,
    column: 1,
    fragment: "`slug: my-invoices`",
  },
  {
    name: "the same slug in two files",
    files: [
      { path: "apps/invoices.yml", content: VALID_YAML },
      { path: "apps/other.yml", content: `slug: invoices\n${VALID_YAML}` },
    ],
    file: "apps/other.yml",
    rule: "duplicate-slug",
    severity: "error",
    line: 1,
    column: 1,
    pointer: "/slug",
    fragment: "also used by `apps/invoices.yml`",
  },
  {
    name: "the same slug in two files, reported on the other one too",
    files: [
      { path: "apps/invoices.yml", content: VALID_YAML },
      { path: "apps/other.yml", content: `slug: invoices\n${VALID_YAML}` },
    ],
    rule: "duplicate-slug",
    severity: "error",
    line: 1,
    column: 1,
    pointer: "",
    fragment: "also used by `apps/other.yml`",
  },
  {
    name: "two services with one key",
    files: file(`${VALID_YAML}${VALID_YAML.split("\n").slice(4).join("\n")}`),
    rule: "duplicate-service-key",
    severity: "error",
    line: 12,
    column: 5,
    pointer: "/services/1/key",
    fragment: "already used by services[0]",
  },
  {
    name: "a permission listed twice",
    files: file(`${VALID_YAML}      - accounts.company:read\n`),
    rule: "duplicate-permission",
    severity: "error",
    line: 12,
    column: 9,
    pointer: "/services/0/permissions/1",
    fragment: "lists `accounts.company:read` more than once",
  },
  {
    name: "an activation variable declared twice",
    files: file(
      `${VALID_YAML}    activationVariables:\n      - name: API_KEY\n        description: Key.\n      - name: API_KEY\n        description: Again.\n`,
    ),
    rule: "duplicate-activation-variable",
    severity: "error",
    line: 15,
    column: 9,
    pointer: "/services/0/activationVariables/1/name",
    fragment: "`API_KEY` more than once",
  },
  {
    name: "deprecating the current version",
    files: file(`${VALID_YAML}    deprecatedVersions: [1]\n`),
    rule: "deprecated-version-not-older",
    severity: "error",
    line: 12,
    column: 26,
    pointer: "/services/0/deprecatedVersions/0",
    fragment: "only versions older than the current `version: 1`",
  },
  {
    name: "an empty application description",
    files: file(replaceLine(VALID_YAML, 3, 'description: "  "')),
    rule: "empty-description",
    severity: "warning",
    line: 3,
    column: 1,
    pointer: "/description",
    fragment: "`description` is empty",
  },
  {
    name: "an empty service description",
    files: file(replaceLine(VALID_YAML, 7, '    description: ""')),
    rule: "empty-description",
    severity: "warning",
    line: 7,
    column: 5,
    pointer: "/services/0/description",
    fragment: "`services[0].description` is empty",
  },
  {
    name: "a new public application",
    files: file(`${VALID_YAML}visibility: public\n`),
    rule: "public-draft",
    severity: "warning",
    line: 12,
    column: 1,
    pointer: "/visibility",
    fragment: "set `visibility: private`",
  },
  {
    name: "sharing a public application",
    files: file(
      `${VALID_YAML}visibility: public\nportalApplicationId: 3f2b8c1e-5d4a-4c7b-9e2f-1a2b3c4d5e6f\nsharedWith: [5a1e6f0c-2b7d-4c19-9a3e-8d4f2b1c6e07]\n`,
    ),
    rule: "shared-public",
    severity: "warning",
    line: 14,
    column: 1,
    pointer: "/sharedWith",
    fragment: "`sharedWith` has no effect",
  },
  {
    name: "a slug that differs from the file name",
    files: file(`slug: billing\n${VALID_YAML}`),
    rule: "slug-mismatch",
    severity: "warning",
    line: 1,
    column: 1,
    pointer: "/slug",
    fragment: "rename the file to `billing.yml`",
  },
];
