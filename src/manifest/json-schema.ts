import { z } from "zod";
import { manifestV1Schema } from "./schema.js";

/** Stable identifier of the v1 manifest JSON Schema (a URN: the project has no canonical host). */
export const MANIFEST_V1_SCHEMA_ID = "urn:pigello-portal-bot:schema:app-manifest:v1";

/** Repository path of the committed, generated JSON Schema. */
export const MANIFEST_V1_SCHEMA_PATH = "schema/app-manifest.v1.json";

/**
 * JSON Schema (draft 2020-12) for what authors write: `io: "input"` keeps defaulted fields
 * optional, so editors do not demand `visibility` or `sharedWith`.
 */
export function buildManifestJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(manifestV1Schema, { target: "draft-2020-12", io: "input" });
  const { $schema, ...rest } = generated;
  const schema = { $schema, $id: MANIFEST_V1_SCHEMA_ID, ...rest };
  // zod names the recursive JSON value definition `__schema0`; give it a name editors can show.
  return JSON.parse(JSON.stringify(schema).replaceAll("__schema0", "JsonValue")) as Record<string, unknown>;
}

/** The file content as committed: two-space JSON with a trailing newline. */
export function renderManifestJsonSchema(): string {
  return `${JSON.stringify(buildManifestJsonSchema(), null, 2)}\n`;
}
