import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { validateManifests } from "../../src/manifest/index.js";
import type { ManifestV1, ServiceManifestV1 } from "../../src/manifest/index.js";

const NUM_RUNS = Number(process.env["PROPERTY_RUNS"] ?? 60);

const slug = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,12}[a-z0-9])?$/).filter((text) => !text.includes("--"));
const text = fc.string({ unit: "grapheme", maxLength: 40 });
const nonEmptyName = fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 }).filter((name) => name.length <= 100);
const permission = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/), fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/), fc.constantFrom("read", "write"))
  .map(([subApplication, entity, access]) => `${subApplication}.${entity}:${access}`);
const variableName = fc.oneof(fc.stringMatching(/^[A-Z][A-Z0-9]{0,6}(?:_[A-Z0-9]{1,6}){0,2}$/), fc.stringMatching(/^[a-z][a-z0-9]{0,6}(?:_[a-z0-9]{1,6}){0,2}$/));
const FORBIDDEN = /"(?:__proto__|constructor|prototype)"/;
// JSON round trip: -0 becomes 0, as it would through any JSON consumer.
const jsonValue = fc
  .jsonValue({ maxDepth: 3 })
  .map((value) => JSON.parse(JSON.stringify(value)) as unknown)
  .filter((value) => !FORBIDDEN.test(JSON.stringify(value)));

const activationVariable = fc.record(
  { name: variableName, description: text, required: fc.boolean() },
  { requiredKeys: ["name", "description"] },
);

const service = fc.record(
  {
    key: slug,
    name: nonEmptyName,
    description: text,
    activationLevel: fc.constantFrom("organization", "company", "real_estate", "tenant"),
    version: fc.integer({ min: 1, max: 1_000_000 }),
    permissions: fc.uniqueArray(permission, { minLength: 1, maxLength: 4 }),
    configuration: fc.dictionary(fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_]{0,10}$/), jsonValue, { maxKeys: 3 }),
    activationVariables: fc.uniqueArray(activationVariable, { maxLength: 3, selector: (variable) => variable.name }),
  },
  { requiredKeys: ["key", "name", "description", "activationLevel", "version", "permissions"] },
);

const manifestInput = fc.record(
  {
    schemaVersion: fc.constant(1 as const),
    slug,
    name: nonEmptyName,
    description: text,
    visibility: fc.constantFrom("private", "public"),
    sharedWith: fc.uniqueArray(fc.uuid({ version: 4 }), { maxLength: 3 }),
    portalApplicationId: fc.uuid({ version: 4 }),
    services: fc.uniqueArray(service, { minLength: 1, maxLength: 3, selector: (candidate) => candidate.key }),
  },
  { requiredKeys: ["schemaVersion", "name", "description", "services"] },
);

type ManifestInput = typeof manifestInput extends fc.Arbitrary<infer T> ? T : never;

function withDefaults(input: ManifestInput, fileStem: string): ManifestV1 {
  return {
    visibility: "private",
    sharedWith: [],
    ...input,
    slug: input.slug ?? fileStem,
    services: input.services.map((candidate) => ({
      ...candidate,
      configuration: (candidate.configuration ?? {}) as ServiceManifestV1["configuration"],
      activationVariables: (candidate.activationVariables ?? []).map((variable) => ({ required: false, ...variable })),
      deprecatedVersions: [],
    })),
  };
}

describe("manifest properties", () => {
  it("any valid manifest serialised to YAML validates without errors and round-trips", () => {
    fc.assert(
      fc.property(manifestInput, (input) => {
        const fileStem = input.slug ?? "generated";
        const report = validateManifests([{ path: `apps/${fileStem}.yml`, content: stringify(input) }]);
        expect(report.problems.filter((problem) => problem.severity === "error")).toEqual([]);
        expect(report.manifests[0]?.manifest).toEqual(withDefaults(input, fileStem));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("never throws on arbitrary text or bytes, and every position is sane", () => {
    const yamlish = fc
      .array(fc.constantFrom("schemaVersion: 1\n", "services:\n", "  - ", "key: ", "[", "]", "{", "}", "&a ", "*a", ": ", "\n", "  ", '"', "'", "#", "- ", "__proto__: ", "\t", "---\n", "1", "x"), {
        maxLength: 60,
      })
      .map((tokens) => tokens.join(""));
    const content = fc.oneof(fc.string({ unit: "binary", maxLength: 200 }), fc.uint8Array({ maxLength: 200 }), yamlish);
    fc.assert(
      fc.property(content, (generated) => {
        const report = validateManifests([{ path: "apps/random.yml", content: generated }]);
        for (const problem of report.problems) {
          expect(problem.line).toBeGreaterThanOrEqual(1);
          expect(problem.column).toBeGreaterThanOrEqual(1);
          expect(problem.endLine).toBeGreaterThanOrEqual(problem.line);
          expect(problem.pointer === "" || problem.pointer.startsWith("/")).toBe(true);
          expect(problem.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("an unknown key added to a valid manifest is exactly one unknown-field error on that key's line", () => {
    const unknownKey = fc.stringMatching(/^zz_[a-z]{3,8}$/);
    fc.assert(
      fc.property(manifestInput, unknownKey, fc.boolean(), (input, key, inService) => {
        const mutated = structuredClone(input) as Record<string, unknown> & { services: Array<Record<string, unknown>> };
        const target = inService ? mutated.services[0] : mutated;
        if (target === undefined) return;
        target[key] = "surprise";
        const yaml = stringify(mutated);
        const keyLine = yaml.split("\n").findIndex((line) => new RegExp(`^\\s*(?:- )?${key}:`).test(line)) + 1;
        const report = validateManifests([{ path: `apps/${input.slug ?? "generated"}.yml`, content: yaml }]);
        const errors = report.problems.filter((problem) => problem.severity === "error");
        expect(errors).toHaveLength(1);
        expect(errors[0]?.rule).toBe("unknown-field");
        expect(errors[0]?.line).toBe(keyLine);
        expect(errors[0]?.pointer).toBe(inService ? `/services/0/${key}` : `/${key}`);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
