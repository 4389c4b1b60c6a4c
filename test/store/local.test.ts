import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createDynamoStore, ensureTable } from "../../src/store/dynamo.js";
import { createStoreFromEnv, startLocalDynamo } from "../../src/store/local.js";
import type { ApplicationRecord } from "../../src/store/port.js";

const record: ApplicationRecord = {
  repo: { owner: "pigello", repo: "integrations" },
  slug: "billing",
  applicationId: "app-1",
  services: { invoices: { serviceId: "svc-1", versions: { "1": "ver-1" } } },
  lastAppliedCommit: "abc1234",
  updatedAt: "2026-01-01T00:00:00.000Z",
};

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function temporaryFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), "pigello-store-"));
  cleanups.push(() => rm(folder, { recursive: true, force: true }));
  return folder;
}

describe("startLocalDynamo on disk", () => {
  it("keeps data across a stop and a restart", async () => {
    const path = join(await temporaryFolder(), "nested", "dynamodb");

    const first = await startLocalDynamo({ path });
    await ensureTable(first.client, "persisted");
    await createDynamoStore({ client: first.client, tableName: "persisted" }).putApplication(record);
    await first.stop();

    const second = await startLocalDynamo({ path });
    cleanups.push(second.stop);
    await ensureTable(second.client, "persisted");
    const store = createDynamoStore({ client: second.client, tableName: "persisted" });
    expect(await store.getApplication(record.repo, "billing")).toEqual(record);
    expect(second.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe("createStoreFromEnv", () => {
  it("embeds dynalite in the data folder when no table or endpoint is configured", async () => {
    const dataDir = await temporaryFolder();
    const first = await createStoreFromEnv({ DYNAMODB_DATA_DIR: dataDir });
    await first.store.setLastAppliedCommit(record.repo, "main", "abc1234");
    await first.stop();

    const second = await createStoreFromEnv({ DYNAMODB_DATA_DIR: dataDir });
    cleanups.push(second.stop);
    expect(await second.store.getLastAppliedCommit(record.repo, "main")).toBe("abc1234");
  });

  it("joins the process already serving the data folder instead of opening it twice", async () => {
    const dataDir = await temporaryFolder();
    const serving = await createStoreFromEnv({ DYNAMODB_DATA_DIR: dataDir });
    await serving.store.putApplication(record);

    const joining = await createStoreFromEnv({ DYNAMODB_DATA_DIR: dataDir });
    expect(joining.endpoint).toBe(serving.endpoint);
    expect(await joining.store.getApplication(record.repo, record.slug)).toEqual(record);
    await joining.stop();

    await serving.stop();
    expect(existsSync(join(dataDir, "serving.json"))).toBe(false);
  });

  it("connects to a given endpoint and creates the named table there", async () => {
    const server = await startLocalDynamo();
    cleanups.push(server.stop);

    const fromEnv = await createStoreFromEnv({ DYNAMODB_ENDPOINT: server.endpoint, DYNAMODB_TABLE: "shared" });
    cleanups.push(fromEnv.stop);
    await fromEnv.store.putApplication(record);

    const direct = createDynamoStore({ client: server.client, tableName: "shared" });
    expect(await direct.getApplication(record.repo, "billing")).toEqual(record);
    expect(fromEnv.endpoint).toBe(server.endpoint);
  });
});

describe("createStoreFromEnv on AWS", () => {
  it("uses the configured table on AWS's own endpoint without starting anything", async () => {
    // Constructing the client touches no network; only a request would.
    const aws = await createStoreFromEnv({ DYNAMODB_TABLE: "pigello-portal-bot-prod" });
    expect(aws.endpoint).toBeUndefined();
    await aws.stop();
  });
});
