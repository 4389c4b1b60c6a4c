// Retries, timeouts and idempotency of the client, driven by the emulator's fault knobs.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PortalError, createPortalClient } from "../../src/portal/client.js";
import { OWNER_TOKEN, activatedApplication, draftApplication, failureOf, startHarness, type Harness } from "./helpers.js";

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterEach(() => {
  harness.emulator.control.resetFaults();
  expect(harness.emulator.control.contractViolations()).toEqual([]);
});
afterAll(() => harness.close());

/** A client whose waits are recorded instead of slept, so Retry-After is checked without a clock. */
function recordingClient(retries = 3) {
  const waits: number[] = [];
  const client = harness.client(OWNER_TOKEN, {
    retry: { retries, minDelayMs: 1, maxDelayMs: 4 },
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
  return { client, waits };
}

const operationsCalled = (operation: string) =>
  harness.emulator.control.requests().filter((record) => record.operation === operation || record.path === operation);

describe("retries", () => {
  it("retries 429 and waits exactly Retry-After", async () => {
    const { client, waits } = recordingClient();
    harness.emulator.control.setFaults({ rateLimitNext: 2, retryAfterSeconds: 2 });
    await client.listApplications();
    expect(waits).toEqual([2000, 2000]);
  });

  it("does not sleep through a Retry-After above MAX_RETRY_AFTER_MS: the error carries it for rescheduling", async () => {
    const { client, waits } = recordingClient();
    harness.emulator.control.setFaults({ rateLimitNext: 1, retryAfterSeconds: 3600 });
    const error = await failureOf(client.listApplications());
    expect(error).toMatchObject({ status: 429, code: "rate_limited", retryAfterMs: 3_600_000 });
    expect(waits).toEqual([]);
  });

  it("retries 429 with Retry-After: 0 using the real sleep", async () => {
    harness.emulator.control.setFaults({ rateLimitNext: 1, retryAfterSeconds: 0 });
    await expect(harness.owner.listApplications()).resolves.toBeInstanceOf(Array);
  });

  it("retries 5xx with jittered backoff within the policy's bounds", async () => {
    const { application } = await draftApplication(harness.owner);
    const { client, waits } = recordingClient();
    harness.emulator.control.addFault({ kind: "error", method: "GET", path: "/applications/*/", times: 2 });
    const before = operationsCalled(`/applications/${application.id}/`).length;
    expect((await client.getApplication(application.id)).id).toBe(application.id);
    const calls = operationsCalled(`/applications/${application.id}/`).slice(before);
    expect(calls.map((record) => record.status)).toEqual([503, 503, 200]);
    expect(waits).toHaveLength(2);
    for (const wait of waits) expect(wait).toBeGreaterThanOrEqual(0);
    expect(waits[0]).toBeLessThanOrEqual(1);
    expect(waits[1]).toBeLessThanOrEqual(2);
  });

  it("gives up after the configured retries with the last PortalError", async () => {
    const { client } = recordingClient(2);
    harness.emulator.control.setFaults({ errorRate: 1 });
    const before = harness.emulator.control.requests().length;
    const error = await failureOf(client.listApplications());
    expect(error).toBeInstanceOf(PortalError);
    expect(error).toMatchObject({ status: 503, code: "injected_fault", operation: "listApplications" });
    expect(harness.emulator.control.requests().length - before).toBe(3);
  });

  it("retries a dropped connection", async () => {
    const { client } = recordingClient();
    harness.emulator.control.setFaults({ dropNext: 1 });
    await expect(client.listApplications()).resolves.toBeInstanceOf(Array);
    expect(harness.emulator.control.requests().some((record) => record.status === "dropped")).toBe(true);
  });

  it("does not retry a rule refusal", async () => {
    const { application } = await draftApplication(harness.owner);
    const { client, waits } = recordingClient();
    const error = await failureOf(
      client.createService(application.id, { key: "invoices", name: "x", description: "", activation_level: "company" }),
    );
    expect(error).toMatchObject({ status: 409 });
    expect(waits).toEqual([]);
  });

  it("times out a slow answer and reports it as a PortalError", async () => {
    const client = harness.client(OWNER_TOKEN, { timeoutMs: 20, retry: { retries: 0, minDelayMs: 1, maxDelayMs: 1 } });
    harness.emulator.control.setFaults({ latencyMs: 200 });
    expect(await failureOf(client.listApplications())).toMatchObject({ status: 0, code: "timeout", operation: "listApplications" });
  });

  it("reports an unreachable Portal as a network_error after retrying", async () => {
    const client = createPortalClient({ baseUrl: "http://127.0.0.1:9", token: OWNER_TOKEN, retry: { retries: 1, minDelayMs: 1, maxDelayMs: 1 } });
    expect(await failureOf(client.listApplications())).toMatchObject({ status: 0, code: "network_error" });
  });

  it("can fail precisely the 2nd create", async () => {
    const client = harness.client(OWNER_TOKEN, { retry: { retries: 0, minDelayMs: 1, maxDelayMs: 1 } });
    harness.emulator.control.addFault({ kind: "error", method: "POST", path: "/applications/", skip: 1, status: 500 });
    await client.createApplication({ name: "first", description: "" });
    expect(await failureOf(client.createApplication({ name: "second", description: "" }))).toMatchObject({ status: 500 });
    await client.createApplication({ name: "third", description: "" });
  });
});

describe("idempotency", () => {
  const applicationsNamed = (name: string) =>
    harness.emulator.control.snapshot().applications.filter((application) => application.name === name);

  it("a create whose response is dropped is retried and creates exactly one application", async () => {
    const { client } = recordingClient();
    harness.emulator.control.addFault({ kind: "drop_response", method: "POST", path: "/applications/" });
    const application = await client.createApplication({ name: "Dropped once", description: "" });
    expect(applicationsNamed("Dropped once").map((stored) => stored.id)).toEqual([application.id]);
    const creates = harness.emulator.control.requests().filter((record) => record.operation === "createApplication");
    expect(creates.slice(-2).map((record) => record.status)).toEqual(["dropped", 201]);
  });

  it("credentials whose response is dropped are not lost: the retry gets the same working secret", async () => {
    const { activation } = await activatedApplication(harness);
    const { client } = recordingClient();
    harness.emulator.control.addFault({ kind: "drop_response", method: "POST", path: "/environments/*/activations/*/credentials/" });
    const credentials = await client.generateCredentials("sandbox", activation.id);
    expect((await client.listCredentials("sandbox", activation.id)).map((entry) => entry.id)).toEqual([credentials.id]);
    expect(await client.checkCredentials(credentials)).toBe(true);
  });

  it("the same caller-given key returns the first object, even from a new client after a crash", async () => {
    const key = "repo-42:manifest:ledger:create-application";
    const first = await harness.owner.createApplication({ name: "Keyed", description: "" }, { idempotencyKey: key });
    const afterCrash = harness.client(OWNER_TOKEN);
    const second = await afterCrash.createApplication({ name: "Keyed", description: "" }, { idempotencyKey: key });
    expect(second).toEqual(first);
    expect(applicationsNamed("Keyed")).toHaveLength(1);
  });

  it("the same key with another body is refused", async () => {
    const key = "repo-42:manifest:other:create-application";
    await harness.owner.createApplication({ name: "Body one", description: "" }, { idempotencyKey: key });
    const error = await failureOf(harness.owner.createApplication({ name: "Body two", description: "" }, { idempotencyKey: key }));
    expect(error).toMatchObject({ status: 409, code: "idempotency_key_reused" });
    expect(error.portalMessage).toMatch(/was already used for a different request .*use a new key/);
    expect(applicationsNamed("Body two")).toHaveLength(0);
  });

  it("without a key every create is a new object", async () => {
    await harness.owner.createApplication({ name: "Unkeyed", description: "" });
    await harness.owner.createApplication({ name: "Unkeyed", description: "" });
    expect(applicationsNamed("Unkeyed")).toHaveLength(2);
  });
});
