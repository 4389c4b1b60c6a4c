// The Portal token and client secrets never reach the logger, error messages, or the Core API call's token.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { PortalLogger } from "../../src/portal/client.js";
import { OWNER_TOKEN, activatedApplication, failureOf, startHarness, type Harness } from "./helpers.js";

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());

it("never logs the token or a client_secret, in success, retry and failure", async () => {
  const entries: unknown[] = [];
  const record = (level: string) => (fields: Record<string, unknown>, message: string) => entries.push({ level, fields, message });
  const logger: PortalLogger = { debug: record("debug"), info: record("info"), warn: record("warn") };
  const sentHeaders: Headers[] = [];
  const client = harness.client(OWNER_TOKEN, {
    logger,
    sleep: async () => {},
    fetch: (request) => {
      sentHeaders.push(new Headers(request.headers));
      return fetch(request);
    },
  });

  const { activation } = await activatedApplication(harness);
  harness.emulator.control.setFaults({ rateLimitNext: 1, retryAfterSeconds: 1 });
  const credentials = await client.generateCredentials("sandbox", activation.id);
  expect(await client.checkCredentials(credentials)).toBe(true);
  expect(await client.checkCredentials({ ...credentials, client_secret: `${credentials.client_secret}x` })).toBe(false);
  await client.listCredentials("sandbox", activation.id);
  const error = await failureOf(client.getApplication(randomUUID()));
  harness.emulator.control.resetFaults();

  const logged = JSON.stringify(entries);
  expect(entries.length).toBeGreaterThan(4);
  expect(logged).toContain("portal call will be retried");
  expect(logged).not.toContain(OWNER_TOKEN);
  expect(logged).not.toContain(credentials.client_secret);
  expect(String(error)).not.toContain(OWNER_TOKEN);

  // The Portal token goes to the Portal only, never with the Core API credentials.
  const coreCalls = sentHeaders.filter((headers) => headers.has("x-pigello-client-secret"));
  expect(coreCalls).toHaveLength(2);
  for (const headers of coreCalls) expect(headers.has("authorization")).toBe(false);
});

it("the emulator keeps only a hash of each secret", async () => {
  const { activation } = await activatedApplication(harness);
  const credentials = await harness.owner.generateCredentials("sandbox", activation.id);
  const state = JSON.stringify(harness.emulator.control.snapshot().credentials);
  expect(state).not.toContain(credentials.client_secret);
});
