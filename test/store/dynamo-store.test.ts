import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createDynamoStore, ensureTable, tableDefinition, TTL_ATTRIBUTE } from "../../src/store/dynamo.js";
import { startLocalDynamo, type LocalDynamo } from "../../src/store/local.js";
import { waitForLock, type ApplicationRecord, type AuditEntry, type RepoRef, type StateStore } from "../../src/store/port.js";

const repo: RepoRef = { owner: "Pigello", repo: "Integrations" };
const otherRepo: RepoRef = { owner: "pigello", repo: "other" };

/** A clock the test moves by hand, so lease expiry never depends on real time. */
function manualClock(start = "2026-01-01T00:00:00.000Z") {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    nowMs: () => current,
    advance(ms: number) {
      current += ms;
    },
  };
}

function application(slug: string, overrides: Partial<ApplicationRecord> = {}): ApplicationRecord {
  return {
    repo,
    slug,
    applicationId: `app-${slug}`,
    services: {
      invoices: { serviceId: `svc-${slug}-invoices`, versions: { "1": "ver-1", "2": "ver-2" } },
      tenants: { serviceId: `svc-${slug}-tenants`, versions: {} },
    },
    updatedAt: "2026-01-01T00:00:00.000Z",
    ...overrides,
  };
}

function audit(overrides: Partial<AuditEntry> & Pick<AuditEntry, "at">): AuditEntry {
  return {
    repo,
    slug: "billing",
    actor: "octocat",
    action: "create-application",
    commit: "abc1234",
    ...overrides,
  };
}

let dynamo: LocalDynamo;
let tableCounter = 0;

/** Each test gets its own table on the one dynalite of this file, so tests cannot see each other. */
async function freshStore(options: { now?: () => Date; pageSize?: number } = {}) {
  const tableName = `store-test-${++tableCounter}`;
  await ensureTable(dynamo.client, tableName);
  return { tableName, store: createDynamoStore({ client: dynamo.client, tableName, ...options }) };
}

beforeAll(async () => {
  dynamo = await startLocalDynamo();
});

afterAll(async () => {
  await dynamo?.stop();
});

describe("table definition", () => {
  it("is one on-demand table keyed by pk and sk", () => {
    expect(tableDefinition("t")).toEqual({
      TableName: "t",
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
    });
  });

  it("ensureTable is idempotent", async () => {
    const { tableName } = await freshStore();
    await expect(ensureTable(dynamo.client, tableName)).resolves.toBeUndefined();
  });
});

describe("applications", () => {
  it("round-trips a record, with and without the optional commit", async () => {
    const { store } = await freshStore();
    const plain = application("billing");
    const withCommit = application("payroll", { lastAppliedCommit: "def5678" });
    await store.putApplication(plain);
    await store.putApplication(withCommit);

    expect(await store.getApplication(repo, "billing")).toEqual(plain);
    expect(await store.getApplication(repo, "payroll")).toEqual(withCommit);
    expect(await store.getApplication(repo, "missing")).toBeUndefined();
  });

  it("keys the repository case-insensitively and keeps the original spelling", async () => {
    const { store } = await freshStore();
    await store.putApplication(application("billing"));
    const found = await store.getApplication({ owner: "PIGELLO", repo: "integrations" }, "billing");
    expect(found?.repo).toEqual(repo);
  });

  it("replaces a record on put", async () => {
    const { store } = await freshStore();
    await store.putApplication(application("billing"));
    const updated = application("billing", { applicationId: "app-2", services: {}, updatedAt: "2026-02-01T00:00:00.000Z" });
    await store.putApplication(updated);
    expect(await store.getApplication(repo, "billing")).toEqual(updated);
  });

  it("lists every application of a repository across many pages, and only that repository's", async () => {
    const { tableName } = await freshStore();
    // A client of its own, so counting its Query requests counts exactly this store's pages.
    const countingClient = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: "local",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    let queries = 0;
    countingClient.middlewareStack.add(
      (next, context) => (args) => {
        if (context.commandName === "QueryCommand") queries++;
        return next(args);
      },
      { step: "initialize" },
    );
    const store = createDynamoStore({ client: countingClient, tableName, pageSize: 3 });
    const slugs = Array.from({ length: 25 }, (_, index) => `app-${String(index).padStart(2, "0")}`);
    await Promise.all(slugs.map((slug) => store.putApplication(application(slug))));
    await store.putApplication(application("elsewhere", { repo: otherRepo }));
    await store.setLastAppliedCommit(repo, "main", "abc");
    await store.appendAudit(audit({ at: "2026-01-01T00:00:00.000Z" }));

    const listed = await store.listApplications(repo);
    expect(listed.map((record) => record.slug)).toEqual(slugs);
    expect(queries).toBeGreaterThanOrEqual(Math.ceil(slugs.length / 3));
    expect(await store.listApplications({ owner: "nobody", repo: "nothing" })).toEqual([]);
    countingClient.destroy();
  });
});

describe("last applied commit", () => {
  it("is kept per repository and branch", async () => {
    const { store } = await freshStore();
    expect(await store.getLastAppliedCommit(repo, "main")).toBeUndefined();
    await store.setLastAppliedCommit(repo, "main", "aaa");
    await store.setLastAppliedCommit(repo, "release/1.x", "bbb");
    await store.setLastAppliedCommit(otherRepo, "main", "ccc");
    await store.setLastAppliedCommit(repo, "main", "ddd");

    expect(await store.getLastAppliedCommit(repo, "main")).toBe("ddd");
    expect(await store.getLastAppliedCommit(repo, "release/1.x")).toBe("bbb");
    expect(await store.getLastAppliedCommit(otherRepo, "main")).toBe("ccc");
  });
});

describe("locks", () => {
  const sync = { holder: "sync by @octocat for abc1234", command: "/pigello unlock" };
  const plan = { holder: "plan by @hubot for def5678" };

  it("refuses a second caller and names the holder and the lease end", async () => {
    const clock = manualClock();
    const { store } = await freshStore({ now: clock.now });
    const first = await store.acquireLock(repo, "billing", sync, 60_000);
    expect(first.acquired).toBe(true);

    const second = await store.acquireLock(repo, "billing", plan, 60_000);
    expect(second).toEqual({ acquired: false, heldBy: sync, expiresAt: "2026-01-01T00:01:00.000Z" });

    // Other applications and repositories have their own locks.
    expect((await store.acquireLock(repo, "payroll", plan, 60_000)).acquired).toBe(true);
    expect((await store.acquireLock(otherRepo, "billing", plan, 60_000)).acquired).toBe(true);
  });

  it("omits the command when the holder gave none", async () => {
    const { store } = await freshStore();
    await store.acquireLock(repo, "billing", plan, 60_000);
    const refused = await store.acquireLock(repo, "billing", sync, 60_000);
    expect(refused.acquired ? undefined : refused.heldBy).toEqual(plan);
  });

  it("lets an expired lease be taken over, and only then", async () => {
    const clock = manualClock();
    const { store } = await freshStore({ now: clock.now });
    await store.acquireLock(repo, "billing", sync, 60_000);

    clock.advance(59_999);
    expect((await store.acquireLock(repo, "billing", plan, 60_000)).acquired).toBe(false);

    clock.advance(1);
    const takeover = await store.acquireLock(repo, "billing", plan, 60_000);
    expect(takeover.acquired).toBe(true);
    const refused = await store.acquireLock(repo, "billing", sync, 60_000);
    expect(refused.acquired ? undefined : refused.heldBy).toEqual(plan);
  });

  it("releases its own lease so the next caller gets it at once", async () => {
    const { store } = await freshStore();
    const first = await store.acquireLock(repo, "billing", sync, 60_000);
    if (!first.acquired) throw new Error("expected the lock");
    await first.release();
    await first.release(); // idempotent

    expect((await store.acquireLock(repo, "billing", plan, 60_000)).acquired).toBe(true);
  });

  it("does not release a lease that expired and was taken over", async () => {
    const clock = manualClock();
    const { store } = await freshStore({ now: clock.now });
    const stale = await store.acquireLock(repo, "billing", sync, 1_000);
    if (!stale.acquired) throw new Error("expected the lock");
    clock.advance(1_000);
    const current = await store.acquireLock(repo, "billing", plan, 60_000);
    expect(current.acquired).toBe(true);

    await stale.release();

    const refused = await store.acquireLock(repo, "billing", sync, 60_000);
    expect(refused.acquired ? undefined : refused.heldBy).toEqual(plan);
  });

  it("gives the lock to exactly one of ten concurrent callers", async () => {
    const { store } = await freshStore();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, index) => store.acquireLock(repo, "billing", { holder: `caller ${index}` }, 60_000)),
    );
    const winners = results.filter((result) => result.acquired);
    expect(winners).toHaveLength(1);
    const winnerIndex = results.findIndex((result) => result.acquired);
    for (const result of results) {
      if (!result.acquired) expect(result.heldBy).toEqual({ holder: `caller ${winnerIndex}` });
    }
  });

  it("rejects a non-positive lease", async () => {
    const { store } = await freshStore();
    await expect(store.acquireLock(repo, "billing", sync, 0)).rejects.toThrow(RangeError);
  });

  describe("waitForLock", () => {
    it("retries until the holder's lease expires", async () => {
      const clock = manualClock();
      const { store } = await freshStore({ now: clock.now });
      await store.acquireLock(repo, "billing", sync, 5_000);
      let sleeps = 0;

      const result = await waitForLock(store, repo, "billing", plan, 60_000, {
        timeoutMs: 30_000,
        pollMs: 1_000,
        nowMs: clock.nowMs,
        sleep: async (ms) => {
          sleeps++;
          clock.advance(ms);
        },
      });

      expect(result.acquired).toBe(true);
      expect(sleeps).toBe(5);
    });

    it("gives up after the timeout and names the holder", async () => {
      const clock = manualClock();
      const { store } = await freshStore({ now: clock.now });
      await store.acquireLock(repo, "billing", sync, 600_000);

      const result = await waitForLock(store, repo, "billing", plan, 60_000, {
        timeoutMs: 10_000,
        pollMs: 3_000,
        nowMs: clock.nowMs,
        sleep: async (ms) => clock.advance(ms),
      });

      expect(result).toEqual({ acquired: false, heldBy: sync, expiresAt: "2026-01-01T00:10:00.000Z" });
      expect(clock.nowMs()).toBe(new Date("2026-01-01T00:00:10.000Z").getTime());
    });
  });
});

describe("pending creates", () => {
  it("keeps a create intent with its exact body until it is deleted", async () => {
    const { store } = await freshStore();
    const body = { name: "Invoices", shared_with: [], nested: { a: [1, "two", null] } };
    expect(await store.getPendingCreate(repo, "invoices", "application")).toBeUndefined();
    await store.putPendingCreate(repo, "invoices", "application", { idempotencyKey: "ppb-1", body, startedAt: "2026-01-01T00:00:00.000Z" });
    expect(await store.getPendingCreate(repo, "invoices", "application")).toEqual({ idempotencyKey: "ppb-1", body, startedAt: "2026-01-01T00:00:00.000Z" });
    expect(await store.getPendingCreate(repo, "invoices", "service:x")).toBeUndefined();
    expect(await store.listApplications(repo)).toEqual([]);
    await store.deletePendingCreate(repo, "invoices", "application");
    expect(await store.getPendingCreate(repo, "invoices", "application")).toBeUndefined();
  });
});

describe("blobs", () => {
  it("keeps manifest bytes by SHA until their TTL", async () => {
    const clock = manualClock();
    const { store } = await freshStore({ now: clock.now });
    const bytes = new TextEncoder().encode("schemaVersion: 1\n");
    expect(await store.getBlob("abc")).toBeUndefined();
    await store.putBlob("abc", bytes, 60);
    expect(await store.getBlob("abc")).toEqual(bytes);
    clock.advance(61_000);
    expect(await store.getBlob("abc")).toBeUndefined();
  });
});

describe("deliveries", () => {
  it("is true the first time only, and stores a TTL in epoch seconds", async () => {
    const clock = manualClock();
    const { store, tableName } = await freshStore({ now: clock.now });
    expect(await store.rememberDelivery("delivery-1", 3_600)).toBe(true);
    expect(await store.rememberDelivery("delivery-1", 3_600)).toBe(false);
    expect(await store.rememberDelivery("delivery-2", 3_600)).toBe(true);

    const documents = DynamoDBDocumentClient.from(dynamo.client);
    const { Item } = await documents.send(
      new GetCommand({ TableName: tableName, Key: { pk: "DELIVERY#delivery-1", sk: "DELIVERY" } }),
    );
    expect(Item?.[TTL_ATTRIBUTE]).toBe(clock.nowMs() / 1000 + 3_600);
  });

  it("handles a forgotten delivery again, so a failed one can be redelivered", async () => {
    const { store } = await freshStore();
    expect(await store.rememberDelivery("delivery-failed", 3_600)).toBe(true);
    await store.forgetDelivery("delivery-failed");
    expect(await store.rememberDelivery("delivery-failed", 3_600)).toBe(true);
    expect(await store.rememberDelivery("delivery-failed", 3_600)).toBe(false);
  });

  it("accepts a redelivery once the remembered one has expired, even before TTL deletes it", async () => {
    const clock = manualClock();
    const { store } = await freshStore({ now: clock.now });
    expect(await store.rememberDelivery("delivery-1", 60)).toBe(true);
    clock.advance(59_000);
    expect(await store.rememberDelivery("delivery-1", 60)).toBe(false);
    clock.advance(1_000);
    expect(await store.rememberDelivery("delivery-1", 60)).toBe(true);
  });

  it("is true for exactly one of concurrent redeliveries", async () => {
    const { store } = await freshStore();
    const results = await Promise.all(Array.from({ length: 10 }, () => store.rememberDelivery("delivery-x", 60)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});

describe("audit", () => {
  async function seeded(pageSize?: number) {
    const { store } = await freshStore(pageSize === undefined ? {} : { pageSize });
    const entries = [
      audit({ at: "2026-01-01T10:00:00.000Z", slug: "billing", action: "create-application", target: "app-1" }),
      audit({ at: "2026-01-01T11:00:00.000Z", slug: "payroll", action: "create-application", pullRequest: 7 }),
      audit({ at: "2026-01-01T12:00:00.000Z", slug: "billing", action: "create-service", detail: { service: "invoices", dryRun: false, count: 2 } }),
      audit({ at: "2026-01-01T12:45:00+01:00", slug: "payroll", action: "update-service" }), // 11:45Z: sorted by instant, not by text
      audit({ at: "2026-01-01T12:30:00.000Z", slug: "billing", action: "request-review" }),
      audit({ at: "2026-01-01T09:00:00.000Z", repo: otherRepo, slug: "billing", action: "create-application" }),
    ];
    // Appended out of order on purpose: the list orders by time, not by arrival.
    for (const entry of [...entries].reverse()) await store.appendAudit(entry);
    return { store, entries };
  }

  it("lists a repository's entries newest first, intact", async () => {
    const { store, entries } = await seeded();
    const listed = await store.listAudit(repo);
    expect(listed).toEqual([entries[4], entries[2], entries[3], entries[1], entries[0]]);
  });

  it("filters by slug and limits, across pages", async () => {
    const { store } = await seeded(1);
    const billing = await store.listAudit(repo, { slug: "billing" });
    expect(billing.map((entry) => entry.action)).toEqual(["request-review", "create-service", "create-application"]);

    const newestTwoBilling = await store.listAudit(repo, { slug: "billing", limit: 2 });
    expect(newestTwoBilling.map((entry) => entry.action)).toEqual(["request-review", "create-service"]);

    const newestThree = await store.listAudit(repo, { limit: 3 });
    expect(newestThree.map((entry) => entry.at)).toEqual([
      "2026-01-01T12:30:00.000Z",
      "2026-01-01T12:00:00.000Z",
      "2026-01-01T12:45:00+01:00",
    ]);
    expect(await store.listAudit(repo, { slug: "nothing" })).toEqual([]);
  });

  it("rejects an entry whose time is not a date", async () => {
    const { store } = await freshStore();
    await expect(store.appendAudit(audit({ at: "yesterday" }))).rejects.toThrow(RangeError);
  });
});

describe("property: put/get behave like a Map", () => {
  const slugArbitrary = fc.constantFrom("billing", "payroll", "tenants", "Billing");
  const identifier = fc.stringMatching(/^[a-z0-9-]{1,12}$/);
  const recordArbitrary = fc.record({
    repo: fc.constantFrom(repo, otherRepo, { owner: "PIGELLO", repo: "OTHER" }),
    slug: slugArbitrary,
    applicationId: identifier,
    services: fc.dictionary(
      identifier,
      fc.record({ serviceId: identifier, versions: fc.dictionary(fc.stringMatching(/^[0-9]{1,3}$/), identifier, { maxKeys: 3 }) }),
      { maxKeys: 3 },
    ),
    lastAppliedCommit: fc.option(fc.stringMatching(/^[0-9a-f]{7}$/), { nil: undefined }),
    updatedAt: fc.date({ min: new Date("2020-01-01"), max: new Date("2030-01-01"), noInvalidDate: true }).map((date) => date.toISOString()),
  });
  const operation = fc.oneof(
    recordArbitrary.map((record) => ({ kind: "put" as const, record })),
    fc.record({ kind: fc.constant("get" as const), repo: fc.constantFrom(repo, otherRepo), slug: slugArbitrary }),
  );

  const modelKey = (target: RepoRef, slug: string) => `${target.owner}/${target.repo}`.toLowerCase() + `#${slug}`;
  const withoutUndefined = (record: ApplicationRecord) => JSON.parse(JSON.stringify(record)) as ApplicationRecord;

  it("agrees with an in-memory Map", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { maxLength: 15 }), async (operations) => {
        const { store }: { store: StateStore } = await freshStore();
        const model = new Map<string, ApplicationRecord>();
        for (const op of operations) {
          if (op.kind === "put") {
            await store.putApplication(op.record);
            model.set(modelKey(op.record.repo, op.record.slug), withoutUndefined(op.record));
          } else {
            const stored = await store.getApplication(op.repo, op.slug);
            expect(stored).toEqual(model.get(modelKey(op.repo, op.slug)));
          }
        }
        const listed = await store.listApplications(repo);
        const expected = [...model.entries()]
          .filter(([key]) => key.startsWith(modelKey(repo, "")))
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([, record]) => record);
        expect(listed).toEqual(expected);
      }),
      { numRuns: 40 },
    );
  });
});
