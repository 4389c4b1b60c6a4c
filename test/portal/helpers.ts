// Shared set-up: an emulator on a random port, clients for two accounts, and a published application.
import { randomUUID } from "node:crypto";
import { createPortalClient, type PortalApi, type PortalClientOptions } from "../../src/portal/client.js";
import { createPortalEmulator, type PortalEmulator, type PortalEmulatorOptions } from "../../src/portal/emulator/index.js";
import type { Application, Service, ServiceVersion } from "../../src/portal/types.js";

export const OWNER_TOKEN = "owner-token-0001";
export const OTHER_TOKEN = "other-token-0002";

export interface Harness {
  emulator: PortalEmulator;
  url: string;
  owner: PortalApi;
  other: PortalApi;
  ownerAccountId: string;
  otherAccountId: string;
  client(token: string, options?: Partial<PortalClientOptions>): PortalApi;
  close(): Promise<void>;
}

export const FAST_RETRY = { retries: 3, minDelayMs: 1, maxDelayMs: 4 };

export async function startHarness(options: PortalEmulatorOptions = {}): Promise<Harness> {
  const emulator = createPortalEmulator({
    accounts: [
      { name: "owner", tokens: [OWNER_TOKEN] },
      { name: "other", tokens: [OTHER_TOKEN] },
    ],
    ...options,
  });
  const url = await emulator.listen(0);
  const client = (token: string, extra: Partial<PortalClientOptions> = {}) =>
    createPortalClient({ baseUrl: url, token, retry: FAST_RETRY, ...extra });
  const accountId = (name: string) => emulator.accounts.find((account) => account.name === name)?.id ?? "";
  return {
    emulator,
    url,
    owner: client(OWNER_TOKEN),
    other: client(OTHER_TOKEN),
    ownerAccountId: accountId("owner"),
    otherAccountId: accountId("other"),
    client,
    close: () => emulator.close(),
  };
}

export interface DraftFixture {
  application: Application;
  service: Service;
  version: ServiceVersion;
}

export async function draftApplication(portal: PortalApi, name = `App ${randomUUID().slice(0, 8)}`): Promise<DraftFixture> {
  const application = await portal.createApplication({ name, description: "Supplier invoices to the ledger" });
  const service = await portal.createService(application.id, {
    key: "invoices",
    name: "Supplier Invoice Syncing",
    description: "Syncs supplier invoices",
    activation_level: "company",
  });
  const version = await portal.createServiceVersion(application.id, service.id, {
    version: 1,
    permissions: ["accounting.supplierinvoice:read"],
    description: "First version",
    configuration: { batch_size: 50 },
    activation_variables: [
      { name: "ledger_account", description: "Ledger account number", required: true },
      { name: "note", description: "Free text", required: false },
    ],
  });
  return { application, service, version };
}

/** A draft that went through review and approval. */
export async function publishedApplication(harness: Harness): Promise<DraftFixture> {
  const draft = await draftApplication(harness.owner);
  const review = await harness.owner.openReviewRequest(draft.application.id, { message: "Please review" });
  harness.emulator.control.decideReview(review.id, "approve", "Looks good");
  return draft;
}

/** A published application activated in an environment, ready for credentials. */
export async function activatedApplication(harness: Harness, environment = "sandbox") {
  const published = await publishedApplication(harness);
  const activation = harness.emulator.control.activate({
    environment,
    service_version_id: published.version.id,
    activation_object_id: randomUUID(),
    activation_variables: { ledger_account: "2440" },
  });
  return { ...published, activation };
}

/** The Portal error of a rejected call, for assertions on status, code and message. */
export async function failureOf(promise: Promise<unknown>): Promise<{ status: number; code: string; portalMessage: string; operation: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { status: number; code: string; portalMessage: string; operation: string };
  }
  throw new Error("expected the call to fail");
}
