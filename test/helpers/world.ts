// A real Portal emulator over HTTP and a real DynamoDB-compatible store (in-memory dynalite).
import { randomUUID } from "node:crypto";
import { manifestV1Schema, type ManifestV1, type ManifestV1Input } from "../../src/manifest/index.js";
import { createPortalClient, type PortalApi } from "../../src/portal/client.js";
import { createPortalEmulator, type PortalEmulator } from "../../src/portal/emulator/index.js";
import type { DesiredApplication } from "../../src/reconcile/plan.js";
import { createDynamoStore, ensureTable } from "../../src/store/dynamo.js";
import { startLocalDynamo, type LocalDynamo } from "../../src/store/local.js";
import type { StateStore } from "../../src/store/port.js";

export const BOT_TOKEN = "bot-portal-token";

export interface World {
  emulator: PortalEmulator;
  portalUrl: string;
  portal: PortalApi;
  dynamo: LocalDynamo;
  /** A fresh table each call, so tests never share state. */
  freshStore(): Promise<StateStore>;
  close(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  const emulator = createPortalEmulator({ accounts: [{ name: "bot", tokens: [BOT_TOKEN] }] });
  const portalUrl = await emulator.listen(0);
  const dynamo = await startLocalDynamo();
  return {
    emulator,
    portalUrl,
    portal: createPortalClient({ baseUrl: portalUrl, token: BOT_TOKEN, retry: { retries: 3, minDelayMs: 1, maxDelayMs: 4 } }),
    dynamo,
    async freshStore() {
      const tableName = `t-${randomUUID()}`;
      await ensureTable(dynamo.client, tableName);
      return createDynamoStore({ client: dynamo.client, tableName });
    },
    async close() {
      await emulator.close();
      await dynamo.stop();
    },
  };
}

/** A manifest as validation would hand it over, defaults applied. */
export function desired(input: Partial<Omit<ManifestV1Input, "schemaVersion">> & { slug: string }): DesiredApplication {
  const manifest = manifestV1Schema.parse({
    schemaVersion: 1,
    name: `${input.slug} app`,
    description: `The ${input.slug} integration.`,
    services: [
      {
        key: "sync",
        name: "Sync",
        description: "Syncs data.",
        activationLevel: "company",
        version: 1,
        permissions: ["accounts.company:read"],
      },
    ],
    ...input,
  }) as ManifestV1;
  return { file: `.pigello/apps/${input.slug}.yml`, manifest };
}
