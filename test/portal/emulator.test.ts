// The emulator as a program: JSON-file state, the HTTP control surface, and the `portal:emulator` entry point.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPortalClient } from "../../src/portal/client.js";
import { DEMO_TOKEN, createPortalEmulator } from "../../src/portal/emulator/index.js";
import { OWNER_TOKEN, draftApplication, startHarness, type Harness } from "./helpers.js";

describe("state in a JSON file", () => {
  it("survives a restart and is written atomically", async () => {
    const directory = mkdtempSync(join(tmpdir(), "portal-state-"));
    const file = join(directory, "portal.json");
    const first = createPortalEmulator({ state: file });
    const client = createPortalClient({ baseUrl: await first.listen(0), token: DEMO_TOKEN });
    const { application } = await draftApplication(client);
    await first.close();
    expect(existsSync(file)).toBe(true);
    expect(readdirSync(directory)).toEqual(["portal.json"]);
    expect(JSON.parse(readFileSync(file, "utf8")).applications).toHaveLength(1);

    const second = createPortalEmulator({ state: file });
    const again = createPortalClient({ baseUrl: await second.listen(0), token: DEMO_TOKEN });
    try {
      const reread = await again.getApplication(application.id);
      expect(reread.services[0]?.versions).toHaveLength(1);
    } finally {
      await second.close();
    }
  });
});

describe("state in memory", () => {
  it("starts from a given state object without changing it, and reset() keeps only the accounts", async () => {
    const first = createPortalEmulator();
    const client = createPortalClient({ baseUrl: await first.listen(0), token: DEMO_TOKEN });
    await draftApplication(client);
    const saved = first.control.snapshot();
    await first.close();

    const second = createPortalEmulator({ state: saved });
    const again = createPortalClient({ baseUrl: await second.listen(0), token: DEMO_TOKEN });
    try {
      expect(await again.listApplications()).toHaveLength(1);
      await again.createApplication({ name: "Only in the second", description: "" });
      expect(saved.applications).toHaveLength(1);
      second.control.reset();
      expect(await again.listApplications()).toEqual([]);
    } finally {
      await second.close();
    }
  });
});

describe("control surface over HTTP", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  const control = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${harness.url}/_control${path}`, {
      method,
      headers: { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: response.status === 204 ? undefined : ((await response.json()) as Record<string, unknown>) };
  };

  it("decides reviews, activates and deactivates", async () => {
    const { application, version } = await draftApplication(harness.owner);
    const review = await harness.owner.openReviewRequest(application.id, { message: "please" });
    expect(await control("POST", `/review_requests/${review.id}/decision/`, { decision: "approve", comment: "ok" })).toMatchObject({
      status: 200,
      body: { status: "approved" },
    });
    const activated = await control("POST", "/environments/customer-http/activations/", {
      service_version_id: version.id,
      activation_object_id: randomUUID(),
      activation_variables: { ledger_account: "1" },
    });
    expect(activated).toMatchObject({ status: 201, body: { environment: "customer-http", is_active: true } });
    const deactivated = await control("POST", `/environments/customer-http/activations/${String(activated.body?.id)}/deactivate/`);
    expect(deactivated).toMatchObject({ status: 200, body: { is_active: false } });
  });

  it("answers rule refusals and invalid input with the error body", async () => {
    const { version } = await draftApplication(harness.owner);
    const refused = await control("POST", "/environments/sandbox/activations/", { service_version_id: version.id, activation_object_id: randomUUID() });
    expect(refused).toMatchObject({ status: 409, body: { code: "application_is_draft" } });
    expect(await control("POST", `/review_requests/${randomUUID()}/decision/`, { decision: "maybe" })).toMatchObject({ status: 422 });
  });

  it("sets, targets and resets faults; lists requests; creates accounts", async () => {
    expect(await control("PATCH", "/faults/", { rateLimitNext: 1, retryAfterSeconds: 0 })).toMatchObject({ status: 200, body: { rateLimitNext: 1 } });
    const limited = await fetch(`${harness.url}/applications/`, { headers: { authorization: `Bearer ${OWNER_TOKEN}` } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("0");
    expect((await control("POST", "/faults/targeted/", { kind: "error", method: "GET", path: "/applications/" })).status).toBe(204);
    expect((await fetch(`${harness.url}/applications/`, { headers: { authorization: `Bearer ${OWNER_TOKEN}` } })).status).toBe(503);
    expect((await control("DELETE", "/faults/")).status).toBe(204);
    expect((await control("GET", "/requests/")).status).toBe(200);

    const account = await control("POST", "/accounts/", { name: "third", token: "third-token-0003" });
    expect(account).toMatchObject({ status: 201, body: { name: "third" } });
    const third = harness.client("third-token-0003");
    expect(await third.listApplications()).toEqual([]);
  });
});

describe("npm run portal:emulator", () => {
  it("prints its URL and a demo token", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/portal/emulator/main.ts", "--port", "0"], {
      cwd: new URL("../..", import.meta.url),
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const output = await new Promise<string>((resolve, reject) => {
        let text = "";
        child.stdout.on("data", (chunk: Buffer) => {
          text += chunk.toString();
          if (text.includes("PIGELLO_PORTAL_TOKEN=")) resolve(text);
        });
        child.once("exit", (code) => reject(new Error(`emulator exited with ${code}: ${text}`)));
      });
      const url = /PIGELLO_PORTAL_URL=(\S+)/.exec(output)?.[1] ?? "";
      expect(output).toContain(`PIGELLO_PORTAL_TOKEN=${DEMO_TOKEN}`);
      const client = createPortalClient({ baseUrl: url, token: DEMO_TOKEN });
      expect(await client.listApplications()).toEqual([]);
    } finally {
      child.kill("SIGTERM");
    }
  });
});
