import type { z } from "zod";
import { ACTIVATION_VARIABLE_NAME_PATTERN, PERMISSION_PATTERN, SLUG_PATTERN } from "./schema.js";
import { didYouMean } from "./suggest.js";
import type { RuleId } from "./rules.js";

/** Describes a YAML-derived value for a message: `the text "1"`, `a list`, ... */
export function describeValue(value: unknown): string {
  if (value === null) return "empty (null)";
  if (Array.isArray(value)) return "a list";
  switch (typeof value) {
    case "string":
      return `the text ${JSON.stringify(truncate(value))}`;
    case "number":
      return `the number ${value}`;
    case "boolean":
      return `\`${value}\``;
    case "object":
      return "a mapping";
    default:
      return typeof value;
  }
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

const EXPECTED_NAMES: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "`true` or `false`",
  array: "a list",
  object: "a mapping",
  record: "a mapping",
  null: "empty (null)",
};

export function expectedName(expected: string): string {
  return EXPECTED_NAMES[expected] ?? expected;
}

/** Lowercases and hyphenates text into a slug suggestion. */
export function suggestSlug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 50)
    .replace(/-+$/, "");
}

export interface IssueMessage {
  rule: RuleId;
  message: string;
}

/** Turns one zod issue about an existing value into a rule id and a how-to-fix sentence. */
export function messageForIssue(issue: z.core.$ZodIssue, label: string, value: unknown): IssueMessage {
  switch (issue.code) {
    case "invalid_type":
      return { rule: "wrong-type", message: wrongTypeMessage(label, issue.expected, value) };
    case "invalid_value": {
      const options = issue.values.map((option) => `\`${String(option)}\``);
      const hint = typeof value === "string" ? didYouMean(value, issue.values.map(String)) : "";
      return {
        rule: "invalid-enum",
        message: `\`${label}\` must be one of ${options.join(", ")}, not ${describeValue(value)}${hint === "" ? "; pick one of them." : hint}`,
      };
    }
    case "invalid_format":
      return { rule: "invalid-format", message: invalidFormatMessage(label, issue, value) };
    case "too_small":
    case "too_big":
      return { rule: "out-of-range", message: rangeMessage(label, issue, value) };
    default:
      return {
        rule: "invalid-value",
        message:
          issue.code === "invalid_union"
            ? `\`${label}\` must be a JSON value (text, number, \`true\`/\`false\`, null, list or mapping), not ${describeValue(value)}; change it to one of those.`
            : `\`${label}\` is invalid (${issue.message}); correct the value.`,
      };
  }
}

function wrongTypeMessage(label: string, expected: string, value: unknown): string {
  const want = expectedName(expected);
  const got = describeValue(value);
  if ((expected === "number" || expected === "int") && typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))) {
    return `\`${label}\` must be ${want}, not ${got}; remove the quotes.`;
  }
  if (expected === "int" && typeof value === "number") {
    return `\`${label}\` must be a whole number, not ${value}; use an integer such as ${Math.max(1, Math.round(value))}.`;
  }
  if (expected === "string" && (typeof value === "number" || typeof value === "boolean")) {
    return `\`${label}\` must be text, not ${got}; put it in quotes.`;
  }
  if (expected === "boolean" && typeof value === "string") {
    return `\`${label}\` must be \`true\` or \`false\`, not ${got}; write it without quotes.`;
  }
  return `\`${label}\` must be ${want}, not ${got}; change it to ${want}.`;
}

function invalidFormatMessage(label: string, issue: z.core.$ZodIssueInvalidStringFormat, value: unknown): string {
  const got = describeValue(value);
  if (issue.format === "uuid") {
    return `\`${label}\` must be a UUID such as 3f2b8c1e-5d4a-4c7b-9e2f-1a2b3c4d5e6f, not ${got}; copy the application id from the Developer Portal.`;
  }
  if (issue.pattern === String(SLUG_PATTERN) || issue.pattern === SLUG_PATTERN.source) {
    const suggestion = typeof value === "string" ? suggestSlug(value) : "";
    const example = suggestion === "" ? "" : ` such as \`${suggestion}\``;
    return `\`${label}\` must use only lowercase letters, digits and inner hyphens, not ${got}; change it to a slug${example}.`;
  }
  if (issue.pattern === String(PERMISSION_PATTERN) || issue.pattern === PERMISSION_PATTERN.source) {
    return `\`${label}\` must have the form \`<sub-application>.<entity>:read\` or \`:write\` (e.g. \`accounts.company:read\`), not ${got}; rewrite it in that form.`;
  }
  if (issue.pattern === String(ACTIVATION_VARIABLE_NAME_PATTERN) || issue.pattern === ACTIVATION_VARIABLE_NAME_PATTERN.source) {
    return `\`${label}\` must be an UPPER_SNAKE or lower_snake identifier (e.g. \`INVOICE_PREFIX\`), not ${got}; rename it.`;
  }
  return `\`${label}\` has the wrong form (${issue.message}); correct the value.`;
}

function rangeMessage(label: string, issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig, value: unknown): string {
  const limit = Number(issue.code === "too_small" ? issue.minimum : issue.maximum);
  if (issue.origin === "string") {
    if (issue.code === "too_small") return `\`${label}\` must not be empty; write at least ${limit} character${limit === 1 ? "" : "s"}.`;
    const length = typeof value === "string" ? value.length : 0;
    return `\`${label}\` is ${length} characters long; shorten it to at most ${limit}.`;
  }
  if (issue.origin === "array") {
    if (issue.code === "too_small") return `\`${label}\` must list at least ${limit} item${limit === 1 ? "" : "s"}; add one.`;
    return `\`${label}\` lists too many items; keep at most ${limit}.`;
  }
  if (issue.code === "too_small") {
    return `\`${label}\` must be ${issue.inclusive ? "at least" : "greater than"} ${limit}, not ${describeValue(value)}; use a positive whole number.`;
  }
  return `\`${label}\` must be at most ${limit}, not ${describeValue(value)}; use a smaller number.`;
}
