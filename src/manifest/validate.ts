import { isAlias, isMap, visit } from "yaml";
import type { Document } from "yaml";
import type { z } from "zod";
import { describeValue, expectedName, messageForIssue, suggestSlug } from "./messages.js";
import { fieldLabel, toPointer } from "./pointer.js";
import { RULES } from "./rules.js";
import type { RuleId } from "./rules.js";
import {
  activationVariableV1Schema,
  manifestV1Schema,
  serviceManifestV1Schema,
  SLUG_PATTERN,
  SUPPORTED_SCHEMA_VERSIONS,
} from "./schema.js";
import type { ManifestV1 } from "./schema.js";
import { decodeUtf8, exceedsByteLimit, parseYamlWithPositions, withEnvSnapshot } from "./source.js";
import type { PositionIndex } from "./source.js";
import { didYouMean } from "./suggest.js";
import { MAX_MANIFEST_BYTES } from "./types.js";
import type { ManifestFile, Position, Problem, ValidatedManifest, ValidationReport } from "./types.js";

/** Alias expansions allowed per file; manifests rarely need any, billion-laughs documents need millions. */
const MAX_ALIAS_COUNT = 50;
/** More YAML errors than this in one file are noise; the first ones say what is wrong. */
const MAX_YAML_ERRORS_PER_FILE = 10;

const KNOWN_FIELDS = {
  manifest: Object.keys(manifestV1Schema.shape),
  service: Object.keys(serviceManifestV1Schema.shape),
  activationVariable: Object.keys(activationVariableV1Schema.shape),
};

const FILE_START: Position = { line: 1, column: 1, endLine: 1, endColumn: 1 };

interface FileOutcome {
  file: string;
  problems: Problem[];
  valid?: { manifest: ManifestV1; index: PositionIndex; slugFromFileName: boolean };
}

/** Validates manifest files, each on its own and then across files (unique slugs). Never throws. */
export function validateManifests(files: ManifestFile[]): ValidationReport {
  const outcomes = withEnvSnapshot(() => files.map(validateFileSafely));
  checkUniqueSlugs(outcomes);
  const manifests: ValidatedManifest[] = [];
  for (const outcome of outcomes) {
    if (outcome.valid === undefined || outcome.problems.some((problem) => problem.severity === "error")) continue;
    const { index, manifest } = outcome.valid;
    manifests.push({ file: outcome.file, manifest, locate: (pointer) => index.locate(pointer) });
  }
  return { manifests, problems: sortProblems(outcomes.flatMap((outcome) => outcome.problems)) };
}

export function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) =>
      compareText(a.file, b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      compareText(a.rule, b.rule) ||
      compareText(a.pointer, b.pointer),
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function makeProblem(file: string, position: Position, pointer: string, rule: RuleId, message: string): Problem {
  return { file, ...position, pointer, severity: RULES[rule].severity, rule, message };
}

function validateFileSafely(input: ManifestFile): FileOutcome {
  try {
    return validateFile(input);
  } catch (error) {
    // Pathological input (e.g. nesting deep enough to exhaust the stack) must not crash a check run.
    const rule: RuleId = error instanceof RangeError ? "too-deep" : "yaml-syntax";
    const reason = error instanceof Error ? error.message : String(error);
    return {
      file: input.path,
      problems: [
        makeProblem(input.path, FILE_START, "", rule, `The file could not be processed (${reason}); simplify the YAML.`),
      ],
    };
  }
}

function validateFile({ path: file, content }: ManifestFile): FileOutcome {
  const fail = (position: Position, pointer: string, rule: RuleId, message: string): FileOutcome => ({
    file,
    problems: [makeProblem(file, position, pointer, rule, message)],
  });

  if (exceedsByteLimit(content, MAX_MANIFEST_BYTES)) {
    return fail(
      FILE_START,
      "",
      "file-too-large",
      `The file is larger than ${MAX_MANIFEST_BYTES / 1024} KiB, so it was not parsed; split it or remove unneeded content.`,
    );
  }
  const decoded = decodeUtf8(content);
  if (!decoded.ok) {
    const position = { line: decoded.line, column: decoded.column, endLine: decoded.line, endColumn: decoded.column };
    return fail(
      position,
      "",
      "invalid-utf8",
      `The file is not valid UTF-8 (first bad byte at offset ${decoded.byteOffset}); save it with UTF-8 encoding.`,
    );
  }
  const text = decoded.text;
  const { document, index } = parseYamlWithPositions(text);

  const exhaustion = document.errors.find((error) => error.code === "RESOURCE_EXHAUSTION");
  if (exhaustion !== undefined) {
    // The parser reports one error per level it could not descend into; one problem says it all.
    return fail(
      index.offsetToPosition(exhaustion.pos[0], exhaustion.pos[1]),
      "",
      "too-deep",
      "The YAML is nested too deeply to process; flatten the nested lists or mappings.",
    );
  }
  if (document.errors.length > 0) {
    return {
      file,
      problems: document.errors.slice(0, MAX_YAML_ERRORS_PER_FILE).map((error) => {
        const position = index.offsetToPosition(error.pos[0], error.pos[1]);
        if (error.code === "DUPLICATE_KEY") {
          const key = duplicateKeyAt(text, error.pos[0]);
          return makeProblem(
            file,
            key === undefined ? position : index.offsetToPosition(error.pos[0], error.pos[0] + key.length),
            "",
            "duplicate-key",
            `The key ${key === undefined ? "" : `\`${key}\` `}appears more than once in the same mapping; keep only one of them.`,
          );
        }
        const reason = error.message.split("\n")[0]?.replace(/\.$/, "") ?? error.code;
        return makeProblem(file, position, "", "yaml-syntax", `YAML syntax error: ${reason}; fix the YAML at this position.`);
      }),
    };
  }
  if (document.contents === null) {
    return fail(
      FILE_START,
      "",
      "empty-file",
      "The file is empty; add a manifest starting with `schemaVersion: 1` or delete the file.",
    );
  }
  if (!isMap(document.contents)) {
    return fail(
      index.locate(""),
      "",
      "not-a-map",
      "The top level must be a mapping of fields (`schemaVersion: 1`, `name: ...`), not a list or a single value; rewrite it as `field: value` lines.",
    );
  }
  const forbiddenKeys = index.forbiddenKeys();
  if (forbiddenKeys.length > 0) {
    return {
      file,
      problems: forbiddenKeys.map(({ pointer, key }) =>
        makeProblem(
          file,
          index.locateKey(pointer),
          pointer,
          "forbidden-key",
          `The key \`${key}\` is not allowed anywhere in a manifest; rename or remove it.`,
        ),
      ),
    };
  }

  const data = toPlainData(document);
  if (data === undefined) {
    return fail(
      firstAliasPosition(document, index),
      "",
      "alias-limit",
      `The file expands YAML aliases more than ${MAX_ALIAS_COUNT} times; write the values out instead of using \`*alias\` references.`,
    );
  }
  const fields = data as Record<string, unknown>;

  if (!Object.hasOwn(fields, "schemaVersion")) {
    return fail(
      startOnly(index.locateKey("")),
      "",
      "schema-version-missing",
      `\`schemaVersion\` is missing; add \`schemaVersion: 1\` at the top of the file (supported versions: ${SUPPORTED_SCHEMA_VERSIONS.join(", ")}).`,
    );
  }
  const schemaVersion = fields["schemaVersion"];
  if (!(SUPPORTED_SCHEMA_VERSIONS as readonly unknown[]).includes(schemaVersion)) {
    return fail(
      index.locateValue("/schemaVersion"),
      "/schemaVersion",
      "schema-version-unsupported",
      `\`schemaVersion\` is ${describeValue(schemaVersion)}, but only ${SUPPORTED_SCHEMA_VERSIONS.join(", ")} is supported; set \`schemaVersion: 1\`.`,
    );
  }

  const parsed = manifestV1Schema.safeParse(fields);
  if (!parsed.success) {
    return { file, problems: parsed.error.issues.flatMap((issue) => problemsForIssue(file, issue, fields, index)) };
  }

  const problems: Problem[] = [];
  const report = (pointer: string, rule: RuleId, message: string, position = index.locate(pointer)): void => {
    problems.push(makeProblem(file, position, pointer, rule, message));
  };

  const fileStem = fileNameStem(file);
  const slugFromFileName = parsed.data.slug === undefined;
  const slug = parsed.data.slug ?? fileStem;
  if (slugFromFileName && !SLUG_PATTERN.test(fileStem)) {
    const suggestion = suggestSlug(fileStem) || "my-application";
    report(
      "",
      "invalid-file-name",
      `The file name \`${fileStem}\` is not a valid slug and no \`slug\` is set; rename the file to \`${suggestion}.yml\` or add \`slug: ${suggestion}\`.`,
      startOnly(index.locateKey("")),
    );
  }
  const manifest: ManifestV1 = { ...parsed.data, slug };
  checkManifestRules(manifest, fileStem, slugFromFileName, report);
  // Keep only what later position lookups need, not the parse tree of every valid manifest.
  index.release();
  return { file, problems, valid: { manifest, index, slugFromFileName } };
}

type Report = (pointer: string, rule: RuleId, message: string, position?: Position) => void;

/** Rules zod does not express: uniqueness inside a manifest, and likely mistakes (warnings). */
function checkManifestRules(manifest: ManifestV1, fileStem: string, slugFromFileName: boolean, report: Report): void {
  const serviceByKey = new Map<string, number>();
  manifest.services.forEach((service, serviceIndex) => {
    const at = `/services/${serviceIndex}`;
    const first = serviceByKey.get(service.key);
    if (first === undefined) serviceByKey.set(service.key, serviceIndex);
    else {
      report(
        `${at}/key`,
        "duplicate-service-key",
        `\`services[${serviceIndex}].key\` \`${service.key}\` is already used by services[${first}]; give each service a unique \`key\`.`,
      );
    }

    const seenPermissions = new Set<string>();
    service.permissions.forEach((permission, permissionIndex) => {
      if (seenPermissions.has(permission)) {
        report(
          `${at}/permissions/${permissionIndex}`,
          "duplicate-permission",
          `\`services[${serviceIndex}].permissions\` lists \`${permission}\` more than once; remove the duplicate.`,
        );
      }
      seenPermissions.add(permission);
    });

    const seenVariables = new Set<string>();
    service.activationVariables.forEach((variable, variableIndex) => {
      if (seenVariables.has(variable.name)) {
        report(
          `${at}/activationVariables/${variableIndex}/name`,
          "duplicate-activation-variable",
          `\`services[${serviceIndex}].activationVariables\` has \`${variable.name}\` more than once; give each variable a unique \`name\`.`,
        );
      }
      seenVariables.add(variable.name);
    });

    service.deprecatedVersions.forEach((deprecated, deprecatedIndex) => {
      if (deprecated >= service.version) {
        report(
          `${at}/deprecatedVersions/${deprecatedIndex}`,
          "deprecated-version-not-older",
          `\`services[${serviceIndex}].deprecatedVersions\` lists ${deprecated}, but only versions older than the current \`version: ${service.version}\` can be deprecated; remove it or raise \`version\`.`,
        );
      }
    });

    if (service.description.trim() === "") {
      report(
        `${at}/description`,
        "empty-description",
        `\`services[${serviceIndex}].description\` is empty; describe what the service does for customers and Pigello's reviewers.`,
      );
    }
  });

  if (manifest.description.trim() === "") {
    report("/description", "empty-description", "`description` is empty; describe the application for Pigello's reviewers and customers.");
  }
  if (manifest.visibility === "public" && manifest.portalApplicationId === undefined) {
    report(
      "/visibility",
      "public-draft",
      "`visibility` is `public` on a new application; Pigello recommends `private` while developing, so set `visibility: private` until it is ready to publish.",
    );
  }
  if (manifest.visibility === "public" && manifest.sharedWith.length > 0) {
    report(
      "/sharedWith",
      "shared-public",
      "`sharedWith` has no effect on a public application; remove it or set `visibility: private`.",
    );
  }
  if (!slugFromFileName && manifest.slug !== fileStem) {
    report(
      "/slug",
      "slug-mismatch",
      `\`slug\` \`${manifest.slug}\` differs from the file name \`${fileStem}\`; rename the file to \`${manifest.slug}.yml\` or remove \`slug\` to use the file name.`,
    );
  }
}

function checkUniqueSlugs(outcomes: FileOutcome[]): void {
  const filesBySlug = new Map<string, FileOutcome[]>();
  for (const outcome of outcomes) {
    if (outcome.valid === undefined) continue;
    const group = filesBySlug.get(outcome.valid.manifest.slug) ?? [];
    group.push(outcome);
    filesBySlug.set(outcome.valid.manifest.slug, group);
  }
  for (const [slug, group] of filesBySlug) {
    if (group.length < 2) continue;
    for (const outcome of group) {
      const others = group.filter((other) => other !== outcome).map((other) => `\`${other.file}\``);
      const valid = outcome.valid;
      if (valid === undefined) continue;
      const position = valid.slugFromFileName ? startOnly(valid.index.locateKey("")) : valid.index.locate("/slug");
      outcome.problems.push(
        makeProblem(
          outcome.file,
          position,
          valid.slugFromFileName ? "" : "/slug",
          "duplicate-slug",
          `The slug \`${slug}\` is also used by ${others.join(", ")}; give each manifest a unique \`slug\` (or file name).`,
        ),
      );
    }
  }
}

function problemsForIssue(file: string, issue: z.core.$ZodIssue, data: unknown, index: PositionIndex): Problem[] {
  const path = issue.path;
  if (issue.code === "unrecognized_keys") {
    const known = knownFieldsAt(path);
    return issue.keys.map((key) => {
      const pointer = toPointer([...path, key]);
      const where = path.length === 0 ? "the manifest" : `\`${fieldLabel(path)}\``;
      const hint = didYouMean(key, known);
      return makeProblem(
        file,
        index.locateKey(pointer),
        pointer,
        "unknown-field",
        `Unknown field \`${key}\` in ${where}${hint === "" ? `; remove it (known fields: ${known.join(", ")}).` : hint}`,
      );
    });
  }
  const pointer = toPointer(path);
  const label = fieldLabel(path);
  const value = valueAt(data, path);
  if (value === undefined && path.length > 0) {
    const parentPath = path.slice(0, -1);
    const where = parentPath.length === 0 ? "the manifest" : `\`${fieldLabel(parentPath)}\``;
    const field = String(path[path.length - 1]);
    const kind =
      issue.code === "invalid_type"
        ? expectedName(issue.expected)
        : issue.code === "invalid_value"
          ? `one of ${issue.values.map(String).join(", ")}`
          : "a value";
    return [
      makeProblem(
        file,
        startOnly(index.locateKey(toPointer(parentPath))),
        pointer,
        "missing-field",
        `The required field \`${field}\` is missing from ${where}; add \`${field}\` (${kind}).`,
      ),
    ];
  }
  const { rule, message } = messageForIssue(issue, label, value);
  return [makeProblem(file, index.locateValue(pointer), pointer, rule, message)];
}

function knownFieldsAt(path: readonly PropertyKey[]): string[] {
  if (path.length === 0) return KNOWN_FIELDS.manifest;
  if (path.length === 2 && path[0] === "services") return KNOWN_FIELDS.service;
  if (path.length === 4 && path[0] === "services" && path[2] === "activationVariables") {
    return KNOWN_FIELDS.activationVariable;
  }
  return [];
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    const key = typeof segment === "number" ? segment : String(segment);
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** JS data of the document, or undefined when alias expansion exceeds the limit. */
function toPlainData(document: Document): unknown {
  try {
    return document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (error instanceof ReferenceError) return undefined;
    throw error;
  }
}

function firstAliasPosition(document: Document, index: PositionIndex): Position {
  let position: Position = FILE_START;
  visit(document, {
    Alias(_key, node) {
      if (isAlias(node) && node.range) {
        position = index.offsetToPosition(node.range[0], node.range[1]);
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return position;
}

/** The key text the parser flagged as a duplicate (it points only at the key's first character). */
function duplicateKeyAt(text: string, offset: number): string | undefined {
  const match = /^("[^"\n]*"|'[^'\n]*'|[^:\n#{}[\],]*?)\s*:/.exec(text.slice(offset, offset + 200));
  const key = match?.[1]?.trim();
  return key === undefined || key === "" ? undefined : key;
}

function startOnly(position: Position): Position {
  return { line: position.line, column: position.column, endLine: position.line, endColumn: position.column };
}

/** `apps/my-app.yml` → `my-app`. */
export function fileNameStem(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(0, dot) : base;
}
