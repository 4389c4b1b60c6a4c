import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { RULES, validateManifests } from "../../src/manifest/index.js";

describe("docs/manifest.md and the example manifest", () => {
  const docs = readFileSync(new URL("../../docs/manifest.md", import.meta.url), "utf8");

  it.each(Object.entries(RULES))("documents rule %s with its severity", (rule, { severity }) => {
    expect(docs).toContain(`| \`${rule}\` | ${severity} |`);
  });

  it("ships a valid example manifest with the $schema comment", () => {
    const content = readFileSync(new URL("../../.pigello/apps/example-invoices.yml", import.meta.url), "utf8");
    expect(content.split("\n")[0]).toBe("# yaml-language-server: $schema=../../schema/app-manifest.v1.json");
    const report = validateManifests([{ path: ".pigello/apps/example-invoices.yml", content }]);
    expect(report.problems).toEqual([]);
  });
});
