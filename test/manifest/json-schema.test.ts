import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MANIFEST_V1_SCHEMA_ID, MANIFEST_V1_SCHEMA_PATH, renderManifestJsonSchema } from "../../src/manifest/json-schema.js";

describe("schema/app-manifest.v1.json", () => {
  const committed = readFileSync(new URL(`../../${MANIFEST_V1_SCHEMA_PATH}`, import.meta.url), "utf8");

  it("is up to date with the zod schema", () => {
    expect(committed === renderManifestJsonSchema(), `${MANIFEST_V1_SCHEMA_PATH} is stale: run \`npm run schema\` and commit it`).toBe(true);
  });

  it("is draft 2020-12 with an id, a title, descriptions and no unknown fields", () => {
    const schema = JSON.parse(committed) as Record<string, unknown> & { properties: Record<string, { description?: string }> };
    expect(schema["$schema"]).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema["$id"]).toBe(MANIFEST_V1_SCHEMA_ID);
    expect(schema["title"]).toBe("Pigello application manifest v1");
    expect(schema["additionalProperties"]).toBe(false);
    expect(schema["required"]).toEqual(["schemaVersion", "name", "description", "services"]);
    for (const [field, property] of Object.entries(schema.properties)) {
      expect(property.description, field).toBeTruthy();
    }
  });
});
