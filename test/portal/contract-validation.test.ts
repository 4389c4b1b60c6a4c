// Requests that break docs/portal-api.yaml are rejected with 422; responses that would break it become 500s.
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { DEFAULT_CONTRACT_URL } from "../../src/portal/emulator/contract.js";
import { createPortalEmulator } from "../../src/portal/emulator/index.js";
import { OWNER_TOKEN, draftApplication, startHarness, type Harness } from "./helpers.js";

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());

const send = (path: string, init: { method?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string } = {}) =>
  fetch(`${harness.url}${path}`, {
    method: init.method ?? "GET",
    headers: { authorization: `Bearer ${OWNER_TOKEN}`, "content-type": "application/json", ...init.headers },
    ...(init.rawBody !== undefined ? { body: init.rawBody } : init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });

async function expect422(response: Response, detailPath: string): Promise<void> {
  expect(response.status).toBe(422);
  const body = (await response.json()) as { code: string; message: string; details: { path: string }[] };
  expect(body.code).toBe("invalid_request");
  expect(body.details.map((detail) => detail.path)).toContain(detailPath);
}

describe("requests that break the contract", () => {
  it("a create without a required field", async () => {
    await expect422(await send("/applications/", { method: "POST", body: { name: "No description" } }), "body.description");
  });

  it("an unknown field", async () => {
    await expect422(await send("/applications/", { method: "POST", body: { name: "x", description: "", colour: "red" } }), "body");
  });

  it("a wrong enum value and a wrong type", async () => {
    await expect422(await send("/applications/", { method: "POST", body: { name: "x", description: "", visibility: "secret" } }), "body.visibility");
    await expect422(await send("/applications/", { method: "POST", body: { name: 7, description: "" } }), "body.name");
  });

  it("a body that is not JSON, or no body where one is required", async () => {
    await expect422(await send("/applications/", { method: "POST", rawBody: "{not json" }), "body");
    await expect422(await send("/applications/", { method: "POST" }), "body");
  });

  it("a path id that is not a UUID", async () => {
    await expect422(await send("/applications/not-a-uuid/"), "path.application_id");
  });

  it("_page without _page_size, a page size above 100, an unknown query parameter", async () => {
    await expect422(await send("/applications/?_page=1"), "query._page_size");
    await expect422(await send("/applications/?_page=1&_page_size=101"), "query._page_size");
    await expect422(await send("/applications/?name__icontains=x"), "query");
  });

  it("an Idempotency-Key that is too short", async () => {
    await expect422(await send("/applications/", { method: "POST", body: { name: "x", description: "" }, headers: { "idempotency-key": "abc" } }), "header.idempotency-key");
  });

  it("a version with a non-integer number, and a body on an operation that takes none", async () => {
    const { application, service, version } = await draftApplication(harness.owner);
    const base = `/applications/${application.id}/services/${service.id}/versions/`;
    await expect422(await send(base, { method: "POST", body: { version: 1.5, permissions: [] } }), "body.version");
    await expect422(await send(`${base}${version.id}/deprecate/`, { method: "POST", body: { now: true } }), "body");
  });

  it("a body above the emulator's size limit is a 413", async () => {
    const response = await send("/applications/", { method: "POST", rawBody: JSON.stringify({ name: "x", description: "y".repeat(1_100_000) }) });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: "body_too_large" });
  });

  it("paths without a trailing slash are not Portal endpoints; wrong methods are 405", async () => {
    const missing = await send("/applications");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: "not_found" });
    expect((await send("/applications/", { method: "PUT", body: {} })).status).toBe(405);
  });
});

describe("responses that break the contract", () => {
  it("are never sent: the emulator answers 500 and records the violation", async () => {
    // A contract that demands a field the emulator does not produce makes every application response invalid.
    const document = parse(readFileSync(DEFAULT_CONTRACT_URL, "utf8")) as {
      components: { schemas: { Application: { required: string[]; properties: Record<string, unknown> } } };
    };
    document.components.schemas.Application.required.push("homepage");
    document.components.schemas.Application.properties.homepage = { type: "string" };
    const directory = mkdtempSync(join(tmpdir(), "portal-contract-"));
    const path = join(directory, "portal-api.yaml");
    writeFileSync(path, stringify(document));

    const emulator = createPortalEmulator({ contract: path, accounts: [{ name: "a", tokens: [OWNER_TOKEN] }] });
    const url = await emulator.listen(0);
    try {
      const response = await fetch(`${url}/applications/`, {
        method: "POST",
        headers: { authorization: `Bearer ${OWNER_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "x", description: "" }),
      });
      expect(response.status).toBe(500);
      expect(await response.json()).toMatchObject({ code: "emulator_contract_violation" });
      expect(emulator.control.contractViolations()).toEqual([
        expect.objectContaining({ operation: "createApplication", status: 201 }),
      ]);
    } finally {
      await emulator.close();
    }
  });

  it("a well-formed request for something missing is a declared 404, not a violation", async () => {
    expect((await send(`/applications/${randomUUID()}/`)).status).toBe(404);
    expect(harness.emulator.control.contractViolations()).toEqual([]);
  });
});
