import { describe, expect, it } from "vitest";
import { RULES, validateManifests } from "../../src/manifest/index.js";
import { RULE_CASES, VALID_YAML } from "./cases.js";

describe("validation rules", () => {
  it.each(RULE_CASES)("$rule: $name", (ruleCase) => {
    const report = validateManifests(ruleCase.files);
    const target = ruleCase.file ?? ruleCase.files[0]?.path;
    const problem = report.problems.find((candidate) => candidate.rule === ruleCase.rule && candidate.file === target);
    expect(problem, JSON.stringify(report.problems, null, 2)).toBeDefined();
    if (problem === undefined) return;
    expect(problem.severity).toBe(ruleCase.severity);
    expect(problem.severity).toBe(RULES[ruleCase.rule as keyof typeof RULES].severity);
    expect(problem.line).toBe(ruleCase.line);
    if (ruleCase.column !== undefined) expect(problem.column).toBe(ruleCase.column);
    if (ruleCase.pointer !== undefined) expect(problem.pointer).toBe(ruleCase.pointer);
    expect(problem.message).toContain(ruleCase.fragment);
    // One sentence that ends like one.
    expect(problem.message).toMatch(/[.?]$/);
  });

  it("has a table case for every rule id", () => {
    const covered = new Set(RULE_CASES.map((ruleCase) => ruleCase.rule));
    expect(Object.keys(RULES).filter((rule) => !covered.has(rule))).toEqual([]);
  });

  it("accepts the small valid manifest with no problems and applies defaults", () => {
    const report = validateManifests([{ path: "apps/invoices.yml", content: VALID_YAML }]);
    expect(report.problems).toEqual([]);
    expect(report.manifests).toHaveLength(1);
    expect(report.manifests[0]?.manifest).toEqual({
      schemaVersion: 1,
      slug: "invoices",
      name: "Invoices",
      description: "Syncs invoices.",
      visibility: "private",
      sharedWith: [],
      services: [
        {
          key: "invoices",
          name: "Invoices",
          description: "Syncs supplier invoices.",
          activationLevel: "company",
          version: 1,
          permissions: ["accounts.company:read"],
          configuration: {},
          activationVariables: [],
          deprecatedVersions: [],
        },
      ],
    });
  });

  it("keeps manifests with warnings but drops files with errors", () => {
    const report = validateManifests([
      { path: "apps/invoices.yml", content: `${VALID_YAML}visibility: public\n` },
      { path: "apps/broken.yml", content: "schemaVersion: 1\n" },
    ]);
    expect(report.manifests.map((validated) => validated.file)).toEqual(["apps/invoices.yml"]);
    expect(report.problems.some((problem) => problem.file === "apps/broken.yml" && problem.severity === "error")).toBe(true);
  });

  it("accepts a BOM, in a string and in bytes", () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(VALID_YAML)]);
    const report = validateManifests([
      { path: "apps/invoices.yml", content: `\uFEFF${VALID_YAML}` },
      { path: "apps/bytes.yml", content: bytes },
    ]);
    expect(report.problems.filter((problem) => problem.rule !== "duplicate-slug" && problem.severity === "error")).toEqual([]);
    expect(report.problems.map((problem) => problem.rule)).not.toContain("yaml-syntax");
  });

  it("never lets a forbidden key reach an object", () => {
    const report = validateManifests([
      { path: "apps/invoices.yml", content: `${VALID_YAML}    configuration:\n      nested: { prototype: 1 }\n` },
    ]);
    expect(report.manifests).toEqual([]);
    expect(report.problems.map((problem) => problem.rule)).toEqual(["forbidden-key"]);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("sorts problems by file, line and column", () => {
    const report = validateManifests([
      { path: "b.yml", content: "schemaVersion: 1\nzzz: 1\nname: x\n" },
      { path: "a.yml", content: "- 1\n" },
    ]);
    const keys = report.problems.map((problem) => [problem.file, problem.line, problem.column] as const);
    const sorted = [...keys].sort((left, right) =>
      left[0] === right[0] ? left[1] - right[1] || left[2] - right[2] : left[0] < right[0] ? -1 : 1,
    );
    expect(keys).toEqual(sorted);
    expect(report.problems[0]?.file).toBe("a.yml");
  });

  it("stays fast and small on an alias bomb", () => {
    const started = performance.now();
    const lines = ["schemaVersion: 1", "a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let level = 0; level < 20; level += 1) lines.push(`l${level}: &l${level} [${Array(10).fill(level === 0 ? "*a" : `*l${level - 1}`).join(", ")}]`);
    const report = validateManifests([{ path: "bomb.yml", content: lines.join("\n") }]);
    expect(report.problems.map((problem) => problem.rule)).toEqual(["alias-limit"]);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe("locate", () => {
  const [validated] = validateManifests([{ path: "apps/invoices.yml", content: VALID_YAML }]).manifests;

  it("finds a field's entry", () => {
    expect(validated?.locate("/services/0/activationLevel")).toEqual({ line: 8, column: 5, endLine: 8, endColumn: 29 });
  });

  it("finds a sequence item", () => {
    expect(validated?.locate("/services/0/permissions/0")).toMatchObject({ line: 11, column: 9 });
  });

  it("falls back to the nearest existing parent", () => {
    expect(validated?.locate("/services/0/configuration/missing")).toMatchObject({ line: 5, column: 5 });
    expect(validated?.locate("/nothing/here")).toMatchObject({ line: 1, column: 1 });
  });

  it("resolves escaped pointer segments", () => {
    const [withSlash] = validateManifests([
      { path: "apps/invoices.yml", content: `${VALID_YAML}    configuration:\n      "a/b~c": 1\n` },
    ]).manifests;
    expect(withSlash?.locate("/services/0/configuration/a~1b~0c")).toMatchObject({ line: 13, column: 7 });
  });
});
