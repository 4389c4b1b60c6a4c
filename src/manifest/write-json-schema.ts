// Regenerates schema/app-manifest.v1.json from the zod schema: `npm run schema`.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { MANIFEST_V1_SCHEMA_PATH, renderManifestJsonSchema } from "./json-schema.js";

const target = fileURLToPath(new URL(`../../${MANIFEST_V1_SCHEMA_PATH}`, import.meta.url));
writeFileSync(target, renderManifestJsonSchema());
process.stdout.write(`wrote ${MANIFEST_V1_SCHEMA_PATH}\n`);
