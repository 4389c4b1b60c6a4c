// src/portal/contract.gen.ts must be what `npm run portal:types` makes of docs/portal-api.yaml today.
import { readFileSync } from "node:fs";
import openapiTS, { COMMENT_HEADER, astToString } from "openapi-typescript";
import { expect, it } from "vitest";
import { DEFAULT_CONTRACT_URL } from "../../src/portal/emulator/contract.js";

it("contract.gen.ts is not stale (run `npm run portal:types` after changing docs/portal-api.yaml)", async () => {
  const generated = COMMENT_HEADER + astToString(await openapiTS(DEFAULT_CONTRACT_URL, { silent: true }));
  const committed = readFileSync(new URL("../../src/portal/contract.gen.ts", import.meta.url), "utf8");
  expect(committed === generated, "contract.gen.ts differs from docs/portal-api.yaml; run `npm run portal:types`").toBe(true);
});

it("the contract marks its assumptions and follows the Core API's conventions", () => {
  const text = readFileSync(DEFAULT_CONTRACT_URL, "utf8");
  const paths = [...text.matchAll(/^ {2}(\/\S*):$/gm)].map((match) => match[1] ?? "");
  expect(paths.length).toBeGreaterThan(10);
  for (const path of paths) expect(path.endsWith("/"), path).toBe(true);
  expect(text).not.toMatch(/^\s+put:/m);
  const operations = text.match(/operationId:/g) ?? [];
  const assumed = text.match(/operationId: \w+\n(?:.*\n){0,2}\s+x-assumed: true/g) ?? [];
  // Every operation but the public Core API read is marked as assumed.
  expect(assumed.length).toBe(operations.length - 1);
});
