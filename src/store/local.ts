import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createDynamoStore, ensureTable } from "./dynamo.js";
import type { StateStore } from "./port.js";

export interface LocalDynamoOptions {
  /** On-disk LevelDB folder; in memory when absent. */
  path?: string;
  /** 0 (the default) picks any free port. */
  port?: number;
}

export interface LocalDynamo {
  endpoint: string;
  client: DynamoDBClient;
  stop(): Promise<void>;
}

/**
 * Credentials and region for a local endpoint. Passing them explicitly keeps the SDK from walking
 * the credential provider chain (env, ~/.aws, instance metadata), so nothing real is touched.
 */
function localClient(endpoint: string): DynamoDBClient {
  // The SDK warns on Node 20 about its releases of 2027; the pinned one runs fine here, and
  // Lambda runs Node 22. Quiet for local use only.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  return new DynamoDBClient({
    endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
}

/** Starts dynalite in this process on 127.0.0.1. */
export async function startLocalDynamo({ path, port = 0 }: LocalDynamoOptions = {}): Promise<LocalDynamo> {
  // Imported lazily: dynalite is a dev dependency and must never load on Lambda.
  const { default: dynalite } = await import("dynalite");
  if (path !== undefined) await mkdir(path, { recursive: true });
  const server = dynalite({ ...(path === undefined ? {} : { path }), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port: boundPort } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${boundPort}`;
  const client = localClient(endpoint);
  return {
    endpoint,
    client,
    async stop() {
      // Destroying the client first closes its keep-alive sockets, which would hold the server open.
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

export const LOCAL_TABLE_NAME = "pigello-portal-bot-local";
export const LOCAL_DATA_DIR = "data/dynamodb";

export interface StoreFromEnv {
  store: StateStore;
  /** Where the store's DynamoDB answers; undefined for AWS's own endpoint. */
  endpoint?: string;
  stop(): Promise<void>;
}

/**
 * Picks the store for this process:
 * - `DYNAMODB_TABLE` without `DYNAMODB_ENDPOINT`: real DynamoDB (Lambda; the table comes from serverless.yml).
 * - `DYNAMODB_ENDPOINT`: a DynamoDB-compatible server someone else started (e.g. the dynalite of
 *   `npm start`, shared with serverless-offline's handler processes, since one LevelDB folder
 *   can be opened by only one process).
 * - neither: dynalite embedded in this process, stored in `DYNAMODB_DATA_DIR` (default data/dynamodb).
 * The same adapter runs in every case.
 */
export async function createStoreFromEnv(env: Record<string, string | undefined> = process.env): Promise<StoreFromEnv> {
  const endpoint = nonEmpty(env.DYNAMODB_ENDPOINT);
  const configuredTable = nonEmpty(env.DYNAMODB_TABLE);

  if (configuredTable !== undefined && endpoint === undefined) {
    // Region and credentials come from the Lambda environment.
    const client = new DynamoDBClient({});
    return {
      store: createDynamoStore({ client, tableName: configuredTable }),
      async stop() {
        client.destroy();
      },
    };
  }

  const tableName = configuredTable ?? LOCAL_TABLE_NAME;
  const dataDir = nonEmpty(env.DYNAMODB_DATA_DIR) ?? LOCAL_DATA_DIR;
  // LevelDB lets one process open a folder: join the process that already serves it, if any.
  const served = endpoint ?? endpointServing(dataDir);
  if (served !== undefined) {
    const client = localClient(served);
    await ensureTable(client, tableName);
    return {
      store: createDynamoStore({ client, tableName }),
      endpoint: served,
      async stop() {
        client.destroy();
      },
    };
  }

  const local = await startLocalDynamo({ path: dataDir });
  try {
    await ensureTable(local.client, tableName);
  } catch (error) {
    await local.stop();
    throw error;
  }
  const marker = join(dataDir, SERVING_MARKER);
  writeFileSync(marker, JSON.stringify({ pid: process.pid, endpoint: local.endpoint }));
  return {
    store: createDynamoStore({ client: local.client, tableName }),
    endpoint: local.endpoint,
    async stop() {
      rmSync(marker, { force: true });
      await local.stop();
    },
  };
}

/** Written in the data folder while a process serves it, so others connect instead of opening it. */
const SERVING_MARKER = "serving.json";

function endpointServing(dataDir: string): string | undefined {
  try {
    const { pid, endpoint } = JSON.parse(readFileSync(join(dataDir, SERVING_MARKER), "utf8")) as { pid: number; endpoint: string };
    process.kill(pid, 0); // throws when that process is gone
    return endpoint;
  } catch {
    return undefined;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
