import { describe, expect, it } from "vitest";
import { formatGithub, formatJson, formatText, validateManifests } from "../../src/manifest/index.js";
import type { ManifestFile, ValidationReport } from "../../src/manifest/index.js";
import { VALID_YAML, replaceLine } from "./cases.js";

const files: ManifestFile[] = [
  { path: "apps/invoices.yml", content: replaceLine(VALID_YAML, 8, "    activationLevel: realestate") },
  { path: "apps/clean.yml", content: VALID_YAML.replace("name: Invoices", "name: Clean") },
  { path: "apps/warn.yml", content: `${VALID_YAML}visibility: public\n` },
];

describe("formatText", () => {
  const report = validateManifests(files);
  const output = formatText(report, files);

  it("prints file:line:col, severity, message and rule, with a code frame", () => {
    expect(output).toContain("apps/invoices.yml:8:22 error `services[0].activationLevel` must be one of");
    expect(output).toContain("(invalid-enum)");
    expect(output).toContain("> 8 |     activationLevel: realestate");
    expect(output).toMatch(/\|\s+\^{10}/);
  });

  it("ends with a summary", () => {
    expect(output.trimEnd().split("\n").at(-1)).toBe("1 error, 1 warning in 3 files");
  });

  it("has no colour codes unless asked", () => {
    expect(output).not.toContain("\u001b[");
    expect(formatText(report, files, { color: true })).toContain("\u001b[");
  });

  it("groups problems per file", () => {
    expect(output.indexOf("apps/warn.yml")).toBeGreaterThan(output.lastIndexOf("apps/invoices.yml"));
  });

  it("says when there is nothing to report", () => {
    expect(formatText({ manifests: [], problems: [] }, [files[1]!])).toBe("0 errors, 0 warnings in 1 file\n");
  });
});

describe("formatGithub", () => {
  const report: ValidationReport = {
    manifests: [],
    problems: [
      {
        file: "apps/a,b:c.yml",
        line: 2,
        column: 3,
        endLine: 2,
        endColumn: 9,
        pointer: "/name",
        severity: "error",
        rule: "wrong-type",
        message: "100% wrong\r\nfix it: now, please",
      },
      { file: "x.yml", line: 1, column: 1, endLine: 1, endColumn: 1, pointer: "", severity: "warning", rule: "slug-mismatch", message: "m" },
    ],
  };

  it("emits one workflow command per problem with escaped properties and data", () => {
    expect(formatGithub(report).split("\n")).toEqual([
      "::error file=apps/a%2Cb%3Ac.yml,line=2,col=3,endLine=2,endColumn=9,title=pigello-portal wrong-type::100%25 wrong%0D%0Afix it: now, please",
      "::warning file=x.yml,line=1,col=1,endLine=1,endColumn=1,title=pigello-portal slug-mismatch::m",
      "",
    ]);
  });
});

describe("formatJson", () => {
  it("is stable and summarises validity", () => {
    const report = validateManifests(files);
    const parsed = JSON.parse(formatJson(report)) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(["valid", "errors", "warnings", "problems", "manifests"]);
    expect(parsed).toMatchObject({ valid: false, errors: 1, warnings: 1 });
    expect(parsed["manifests"]).toEqual([
      { file: "apps/clean.yml", slug: "clean" },
      { file: "apps/warn.yml", slug: "warn" },
    ]);
    expect(formatJson(report)).toBe(formatJson(validateManifests(files)));
  });
});
