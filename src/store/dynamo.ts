import { randomUUID } from "node:crypto";
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type NativeAttributeValue,
  type QueryCommandInput,
} from "@aws-sdk/lib-dynamodb";
import {
  repoKey,
  type ApplicationRecord,
  type AuditEntry,
  type ListAuditOptions,
  type LockHolder,
  type RepoRef,
  type ServiceRecord,
  type StateStore,
} from "./port.js";

/** Attribute DynamoDB's TTL reads (epoch seconds); expired items disappear eventually, not promptly. */
export const TTL_ATTRIBUTE = "expiresAt";

type Item = Record<string, NativeAttributeValue>;

/** The one table's CreateTable input, shared by serverless.yml's resource, local start and tests. */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [
      { AttributeName: "pk", AttributeType: "S" },
      { AttributeName: "sk", AttributeType: "S" },
    ],
    KeySchema: [
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ],
  };
}

export interface EnsureTableOptions {
  timeoutMs?: number;
}

/**
 * Creates the table if it does not exist, waits until it is ACTIVE and enables TTL where the
 * server supports it (dynalite does not implement UpdateTimeToLive; that is fine locally).
 */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  { timeoutMs = 60_000 }: EnsureTableOptions = {},
): Promise<void> {
  if ((await describeTableStatus(client, tableName)) === undefined) {
    try {
      await client.send(new CreateTableCommand(tableDefinition(tableName)));
    } catch (error) {
      // Another process created it between our describe and create.
      if (errorName(error) !== "ResourceInUseException") throw error;
    }
  }
  await waitUntilActive(client, tableName, timeoutMs);
  await enableTimeToLive(client, tableName);
}

async function describeTableStatus(client: DynamoDBClient, tableName: string): Promise<string | undefined> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return Table?.TableStatus ?? "UNKNOWN";
  } catch (error) {
    if (errorName(error) === "ResourceNotFoundException") return undefined;
    throw error;
  }
}

async function waitUntilActive(client: DynamoDBClient, tableName: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delayMs = 20;
  for (;;) {
    const status = await describeTableStatus(client, tableName);
    if (status === "ACTIVE") return;
    if (Date.now() >= deadline) {
      throw new Error(`DynamoDB table ${tableName} is not active after ${timeoutMs} ms (status ${status ?? "missing"})`);
    }
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    delayMs = Math.min(delayMs * 2, 1_000);
  }
}

async function enableTimeToLive(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    const status = TimeToLiveDescription?.TimeToLiveStatus;
    if (status === "ENABLED" || status === "ENABLING") return;
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      }),
    );
  } catch (error) {
    const name = errorName(error);
    // dynalite: no UpdateTimeToLive. AWS: a concurrent ensureTable enabled it first.
    if (name === "UnknownOperationException") return;
    if (name === "ValidationException" && /already enabled/i.test(errorMessage(error))) return;
    throw error;
  }
}

export interface DynamoStoreOptions {
  client: DynamoDBClient | DynamoDBDocumentClient;
  tableName: string;
  /** Clock for lock leases, delivery TTLs and timestamps; injectable for tests. */
  now?: () => Date;
  /** Items per Query page (DynamoDB's Limit). Unset means DynamoDB's 1 MB pages; tests set it small. */
  pageSize?: number;
}

const APP_PREFIX = "APP#";
const AUDIT_PREFIX = "AUDIT#";
const LOCK_ATTEMPTS = 5;

const repoPk = (repo: RepoRef) => `REPO#${repoKey(repo)}`;
const appKey = (repo: RepoRef, slug: string) => ({ pk: repoPk(repo), sk: `${APP_PREFIX}${slug}` });
const commitKey = (repo: RepoRef, branch: string) => ({ pk: repoPk(repo), sk: `COMMIT#${branch}` });
const lockKey = (repo: RepoRef, slug: string) => ({ pk: repoPk(repo), sk: `LOCK#${slug}` });
const pendingKey = (repo: RepoRef, slug: string, scope: string) => ({ pk: repoPk(repo), sk: `PENDING#${slug}#${scope}` });
const deliveryKey = (deliveryId: string) => ({ pk: `DELIVERY#${deliveryId}`, sk: "DELIVERY" });
const blobKey = (sha: string) => ({ pk: `BLOB#${sha}`, sk: "BLOB" });

export function createDynamoStore({ client, tableName, now = () => new Date(), pageSize }: DynamoStoreOptions): StateStore {
  const documents =
    client instanceof DynamoDBDocumentClient
      ? client
      : DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

  // Consistent reads everywhere: a sync must see the ids the previous step just wrote.
  async function getItem(key: Item): Promise<Item | undefined> {
    const { Item } = await documents.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    return Item;
  }

  /** One Query, following LastEvaluatedKey until `enough` says stop or the partition is exhausted. */
  async function queryAll(
    input: Omit<QueryCommandInput, "TableName" | "ExclusiveStartKey" | "ConsistentRead">,
    enough: (items: Item[]) => boolean = () => false,
  ): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await documents.send(
        new QueryCommand({
          ...input,
          TableName: tableName,
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined && !enough(items));
    return items;
  }

  async function releaseLock(key: Item, lockId: string): Promise<void> {
    try {
      await documents.send(
        new DeleteCommand({
          TableName: tableName,
          Key: key,
          ConditionExpression: "lockId = :lockId",
          ExpressionAttributeValues: { ":lockId": lockId },
        }),
      );
    } catch (error) {
      // Our lease expired and someone else holds it now (or it is already gone): not ours to delete.
      if (!isConditionFailed(error)) throw error;
    }
  }

  return {
    async getApplication(repo, slug) {
      const item = await getItem(appKey(repo, slug));
      return item === undefined ? undefined : applicationFromItem(item);
    },

    async listApplications(repo) {
      const items = await queryAll({
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: { ":pk": repoPk(repo), ":prefix": APP_PREFIX },
        Limit: pageSize,
      });
      return items.map(applicationFromItem);
    },

    async putApplication(record) {
      await documents.send(new PutCommand({ TableName: tableName, Item: applicationToItem(record) }));
    },

    async getLastAppliedCommit(repo, branch) {
      const item = await getItem(commitKey(repo, branch));
      return item === undefined ? undefined : readString(item, "sha");
    },

    async setLastAppliedCommit(repo, branch, sha) {
      await documents.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...commitKey(repo, branch), type: "commit", branch, sha, updatedAt: now().toISOString() },
        }),
      );
    },

    async acquireLock(repo, slug, holder, leaseMs) {
      if (!(Number.isFinite(leaseMs) && leaseMs > 0)) throw new RangeError(`leaseMs must be positive, got ${leaseMs}`);
      const key = lockKey(repo, slug);
      for (let attempt = 0; attempt < LOCK_ATTEMPTS; attempt++) {
        const nowMs = now().getTime();
        const lockId = randomUUID();
        const leaseEndsAtMs = nowMs + leaseMs;
        try {
          await documents.send(
            new PutCommand({
              TableName: tableName,
              Item: {
                ...key,
                type: "lock",
                lockId,
                slug,
                holder: holder.holder,
                ...(holder.command === undefined ? {} : { command: holder.command }),
                acquiredAt: new Date(nowMs).toISOString(),
                leaseEndsAt: new Date(leaseEndsAtMs).toISOString(),
                leaseEndsAtMs,
                // TTL only tidies up; the condition below, not TTL, decides whether a lease is over.
                [TTL_ATTRIBUTE]: Math.ceil(leaseEndsAtMs / 1000),
              },
              ConditionExpression: "attribute_not_exists(pk) OR leaseEndsAtMs <= :nowMs",
              ExpressionAttributeValues: { ":nowMs": nowMs },
            }),
          );
          return { acquired: true, lockId, release: () => releaseLock(key, lockId) };
        } catch (error) {
          if (!isConditionFailed(error)) throw error;
        }
        const current = await getItem(key);
        if (current !== undefined && readNumber(current, "leaseEndsAtMs") > nowMs) {
          return { acquired: false, heldBy: lockHolderFromItem(current), expiresAt: readString(current, "leaseEndsAt") };
        }
        // Released or expired between our write and our read: try again.
      }
      throw new Error(`Could not acquire or inspect the lock for ${repoKey(repo)} ${slug} after ${LOCK_ATTEMPTS} attempts`);
    },

    async getPendingCreate(repo, slug, scope) {
      const item = await getItem(pendingKey(repo, slug, scope));
      if (item === undefined) return undefined;
      return { idempotencyKey: readString(item, "idempotencyKey"), body: JSON.parse(readString(item, "body")) as unknown, startedAt: readString(item, "startedAt") };
    },

    async putPendingCreate(repo, slug, scope, pending) {
      // The body is kept as JSON text so it replays byte for byte, whatever its shape.
      const item = { ...pendingKey(repo, slug, scope), type: "pending", scope, idempotencyKey: pending.idempotencyKey, body: JSON.stringify(pending.body), startedAt: pending.startedAt };
      await documents.send(new PutCommand({ TableName: tableName, Item: item }));
    },

    async deletePendingCreate(repo, slug, scope) {
      await documents.send(new DeleteCommand({ TableName: tableName, Key: pendingKey(repo, slug, scope) }));
    },

    async getBlob(sha) {
      // A blob SHA names its bytes, so an eventually consistent read is as good as a strong one.
      const { Item } = await documents.send(new GetCommand({ TableName: tableName, Key: blobKey(sha) }));
      const bytes = Item?.bytes as Uint8Array | undefined;
      const expired = typeof Item?.[TTL_ATTRIBUTE] === "number" && Item[TTL_ATTRIBUTE] <= Math.floor(now().getTime() / 1000);
      return bytes && !expired ? new Uint8Array(bytes) : undefined;
    },

    async putBlob(sha, bytes, ttlSeconds) {
      const item = { ...blobKey(sha), type: "blob", bytes, [TTL_ATTRIBUTE]: Math.floor(now().getTime() / 1000) + Math.ceil(ttlSeconds) };
      await documents.send(new PutCommand({ TableName: tableName, Item: item }));
    },

    async forgetDelivery(deliveryId) {
      await documents.send(new DeleteCommand({ TableName: tableName, Key: deliveryKey(deliveryId) }));
    },

    async rememberDelivery(deliveryId, ttlSeconds) {
      if (!(Number.isFinite(ttlSeconds) && ttlSeconds > 0)) {
        throw new RangeError(`ttlSeconds must be positive, got ${ttlSeconds}`);
      }
      const nowMs = now().getTime();
      const nowSeconds = Math.floor(nowMs / 1000);
      try {
        await documents.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...deliveryKey(deliveryId),
              type: "delivery",
              deliveryId,
              receivedAt: new Date(nowMs).toISOString(),
              [TTL_ATTRIBUTE]: nowSeconds + Math.ceil(ttlSeconds),
            },
            // TTL deletion lags by up to days, so an expired-but-present item counts as absent.
            ConditionExpression: "attribute_not_exists(pk) OR #ttl <= :nowSeconds",
            ExpressionAttributeNames: { "#ttl": TTL_ATTRIBUTE },
            ExpressionAttributeValues: { ":nowSeconds": nowSeconds },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailed(error)) return false;
        throw error;
      }
    },

    async appendAudit(entry) {
      const at = normalizeIsoTime(entry.at);
      await documents.send(
        new PutCommand({
          TableName: tableName,
          Item: auditToItem(entry, at),
          // A random suffix collision would silently overwrite history; refuse instead.
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    },

    async listAudit(repo, options: ListAuditOptions = {}) {
      const { slug, limit } = options;
      if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
        throw new RangeError(`limit must be a positive integer, got ${limit}`);
      }
      const filter =
        slug === undefined
          ? {}
          : {
              FilterExpression: "#slug = :slug",
              ExpressionAttributeNames: { "#slug": "slug" },
            };
      // Without a filter every item read is returned, so reading more than `limit` is waste.
      const pageLimit = slug === undefined && limit !== undefined ? Math.min(limit, pageSize ?? limit) : pageSize;
      const items = await queryAll(
        {
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
          ExpressionAttributeValues: {
            ":pk": repoPk(repo),
            ":prefix": AUDIT_PREFIX,
            ...(slug === undefined ? {} : { ":slug": slug }),
          },
          ...filter,
          ScanIndexForward: false,
          Limit: pageLimit,
        },
        (collected) => limit !== undefined && collected.length >= limit,
      );
      return items.slice(0, limit).map(auditFromItem);
    },
  };
}

function applicationToItem(record: ApplicationRecord): Item {
  return {
    ...appKey(record.repo, record.slug),
    type: "application",
    owner: record.repo.owner,
    repoName: record.repo.repo,
    slug: record.slug,
    applicationId: record.applicationId,
    services: record.services,
    ...(record.lastAppliedCommit === undefined ? {} : { lastAppliedCommit: record.lastAppliedCommit }),
    updatedAt: record.updatedAt,
  };
}

function applicationFromItem(item: Item): ApplicationRecord {
  const lastAppliedCommit = readOptionalString(item, "lastAppliedCommit");
  return {
    repo: { owner: readString(item, "owner"), repo: readString(item, "repoName") },
    slug: readString(item, "slug"),
    applicationId: readString(item, "applicationId"),
    services: readServices(item),
    ...(lastAppliedCommit === undefined ? {} : { lastAppliedCommit }),
    updatedAt: readString(item, "updatedAt"),
  };
}

function readServices(item: Item): Record<string, ServiceRecord> {
  const services = readMap(item.services, "services");
  const result: Record<string, ServiceRecord> = {};
  for (const [serviceKey, value] of Object.entries(services)) {
    const service = readMap(value, `services.${serviceKey}`);
    const versions: Record<string, string> = {};
    for (const [version, versionId] of Object.entries(readMap(service.versions, `services.${serviceKey}.versions`))) {
      if (typeof versionId !== "string") throw new TypeError(`services.${serviceKey}.versions.${version} is not a string`);
      versions[version] = versionId;
    }
    result[serviceKey] = { serviceId: readString(service, "serviceId"), versions };
  }
  return result;
}

function lockHolderFromItem(item: Item): LockHolder {
  const command = readOptionalString(item, "command");
  return { holder: readString(item, "holder"), ...(command === undefined ? {} : { command }) };
}

function auditToItem(entry: AuditEntry, at: string): Item {
  return {
    pk: repoPk(entry.repo),
    sk: `${AUDIT_PREFIX}${at}#${randomUUID()}`,
    type: "audit",
    owner: entry.repo.owner,
    repoName: entry.repo.repo,
    slug: entry.slug,
    actor: entry.actor,
    action: entry.action,
    ...(entry.target === undefined ? {} : { target: entry.target }),
    commit: entry.commit,
    ...(entry.pullRequest === undefined ? {} : { pullRequest: entry.pullRequest }),
    at: entry.at,
    ...(entry.detail === undefined ? {} : { detail: entry.detail }),
  };
}

function auditFromItem(item: Item): AuditEntry {
  const target = readOptionalString(item, "target");
  const pullRequest = item.pullRequest === undefined ? undefined : readNumber(item, "pullRequest");
  const detail = item.detail === undefined ? undefined : readDetail(item.detail);
  return {
    repo: { owner: readString(item, "owner"), repo: readString(item, "repoName") },
    slug: readString(item, "slug"),
    actor: readString(item, "actor"),
    action: readString(item, "action"),
    ...(target === undefined ? {} : { target }),
    commit: readString(item, "commit"),
    ...(pullRequest === undefined ? {} : { pullRequest }),
    at: readString(item, "at"),
    ...(detail === undefined ? {} : { detail }),
  };
}

function readDetail(value: NativeAttributeValue): Record<string, string | number | boolean> {
  const detail: Record<string, string | number | boolean> = {};
  for (const [name, entry] of Object.entries(readMap(value, "detail"))) {
    if (typeof entry !== "string" && typeof entry !== "number" && typeof entry !== "boolean") {
      throw new TypeError(`detail.${name} is not a string, number or boolean`);
    }
    detail[name] = entry;
  }
  return detail;
}

/** Audit sort keys embed the time, so it must have one fixed, lexicographically ordered format. */
function normalizeIsoTime(at: string): string {
  const time = new Date(at);
  if (Number.isNaN(time.getTime())) throw new RangeError(`Audit entry time is not a date: ${JSON.stringify(at)}`);
  return time.toISOString();
}

function readMap(value: NativeAttributeValue, name: string): Item {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`Stored attribute ${name} is not a map`);
  }
  return value as Item;
}

function readString(item: Item, name: string): string {
  const value = item[name];
  if (typeof value !== "string") throw new TypeError(`Stored attribute ${name} is not a string`);
  return value;
}

function readOptionalString(item: Item, name: string): string | undefined {
  return item[name] === undefined ? undefined : readString(item, name);
}

function readNumber(item: Item, name: string): number {
  const value = item[name];
  if (typeof value !== "number") throw new TypeError(`Stored attribute ${name} is not a number`);
  return value;
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isConditionFailed(error: unknown): boolean {
  return errorName(error) === "ConditionalCheckFailedException";
}
