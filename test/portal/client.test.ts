// Every PortalApi operation against the emulator over real HTTP.
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PortalError } from "../../src/portal/client.js";
import { activatedApplication, draftApplication, failureOf, publishedApplication, startHarness, type Harness } from "./helpers.js";

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterEach(() => {
  expect(harness.emulator.control.contractViolations()).toEqual([]);
});
afterAll(() => harness.close());

describe("PortalApi against the emulator", () => {
  it("creates an application as a private draft owned by the caller", async () => {
    const application = await harness.owner.createApplication({ name: "Ledger sync", description: "Invoices" });
    expect(application).toMatchObject({
      name: "Ledger sync",
      description: "Invoices",
      visibility: "private",
      shared_with: [],
      is_draft: true,
      owner_account_id: harness.ownerAccountId,
      services: [],
    });
    expect(await harness.owner.getApplication(application.id)).toEqual(application);
  });

  it("updates an application with PATCH, leaving other fields alone", async () => {
    const { application } = await draftApplication(harness.owner);
    const updated = await harness.owner.updateApplication(application.id, { description: "New text", visibility: "public" });
    expect(updated).toMatchObject({ name: application.name, description: "New text", visibility: "public", is_draft: true });
  });

  it("creates and updates services, creates, updates and deprecates versions, embedded in the application", async () => {
    const { application, service, version } = await draftApplication(harness.owner);
    expect(version).toMatchObject({ version: 1, activation_level: "company", is_deprecated: false, deprecated_at: null });

    const renamed = await harness.owner.updateService(application.id, service.id, { name: "Invoices v2 name" });
    expect(renamed).toMatchObject({ key: "invoices", name: "Invoices v2 name", activation_level: "company" });

    const edited = await harness.owner.updateServiceVersion(application.id, service.id, version.id, {
      permissions: ["accounting.supplierinvoice:read", "accounting.supplierinvoice:write"],
    });
    expect(edited.permissions).toHaveLength(2);

    const second = await harness.owner.createServiceVersion(application.id, service.id, { version: 2, permissions: [] });
    const deprecated = await harness.owner.deprecateServiceVersion(application.id, service.id, version.id);
    expect(deprecated.is_deprecated).toBe(true);
    expect(deprecated.deprecated_at).not.toBeNull();

    const reread = await harness.owner.getApplication(application.id);
    expect(reread.services).toHaveLength(1);
    expect(reread.services[0]?.versions.map((entry) => [entry.version, entry.is_deprecated])).toEqual([
      [1, true],
      [2, false],
    ]);
    expect(reread.services[0]?.versions[1]?.id).toBe(second.id);
  });

  it("lists every visible application across pages in ceil(n / page size) requests", async () => {
    const fresh = await startHarness();
    try {
      for (let index = 0; index < 5; index++) await fresh.owner.createApplication({ name: `App ${index}`, description: "" });
      const all = await fresh.owner.listApplications({ pageSize: 2 });
      expect(all.map((application) => application.name)).toEqual(["App 0", "App 1", "App 2", "App 3", "App 4"]);
      const listCalls = fresh.emulator.control.requests().filter((record) => record.operation === "listApplications");
      expect(listCalls).toHaveLength(3);
      expect(await fresh.owner.listApplications()).toHaveLength(5);
    } finally {
      await fresh.close();
    }
  });

  it("opens, reads and lists review requests", async () => {
    const { application } = await draftApplication(harness.owner);
    const opened = await harness.owner.openReviewRequest(application.id, { message: "Ready for review" });
    expect(opened).toMatchObject({ status: "pending", reviewer_comment: null, decided_at: null, message: "Ready for review" });
    harness.emulator.control.decideReview(opened.id, "request_changes", "Describe the permissions");
    const read = await harness.owner.getReviewRequest(application.id, opened.id);
    expect(read).toMatchObject({ status: "changes_requested", reviewer_comment: "Describe the permissions" });
    expect(read.decided_at).not.toBeNull();
    const second = await harness.owner.openReviewRequest(application.id, { message: "Fixed" });
    const listed = await harness.owner.listReviewRequests(application.id);
    expect(listed.map((request) => request.id)).toEqual([second.id, opened.id]);
  });

  it("lists integration links per environment and service once published", async () => {
    const { application, service } = await publishedApplication(harness);
    const links = await harness.owner.listIntegrationLinks(application.id);
    expect(links).toContainEqual(expect.objectContaining({ environment: "sandbox", service_id: service.id }));
    const link = links.find((entry) => entry.environment === "sandbox");
    const page = await fetch(link?.url ?? "");
    expect(page.status).toBe(200);
    expect(await page.json()).toMatchObject({ environment: "sandbox", service: { id: service.id } });
  });

  it("lists and reads activations, filtered by service version", async () => {
    const { version, activation } = await activatedApplication(harness, "customer-one");
    expect(activation).toMatchObject({
      environment: "customer-one",
      service_version_id: version.id,
      activation_content_type: "company.company",
      activation_variables: { ledger_account: "2440" },
      is_active: true,
    });
    expect(await harness.owner.getActivation("customer-one", activation.id)).toEqual(activation);
    expect(await harness.owner.listActivations("customer-one", { serviceVersionId: version.id })).toEqual([activation]);
    expect(await harness.owner.listActivations("customer-one", { serviceVersionId: randomUUID() })).toEqual([]);
  });

  it("generates credentials (secret once), lists them without secret, checks and revokes them", async () => {
    const { activation } = await activatedApplication(harness);
    const credentials = await harness.owner.generateCredentials("sandbox", activation.id);
    expect(credentials).toMatchObject({
      application_id: activation.application_id,
      service_id: activation.service_id,
      service_version_id: activation.service_version_id,
      client_object_id: activation.id,
      client_ct: "accounts.integrationuseragent",
    });
    expect(credentials.client_secret.length).toBeGreaterThanOrEqual(32);
    expect(await harness.owner.checkCredentials(credentials)).toBe(true);

    const listed = await harness.owner.listCredentials("sandbox", activation.id);
    expect(listed).toHaveLength(1);
    expect(listed[0]).not.toHaveProperty("client_secret");
    expect(JSON.stringify(listed)).not.toContain(credentials.client_secret);

    const revoked = await harness.owner.revokeCredentials("sandbox", activation.id, credentials.id);
    expect(revoked.revoked_at).not.toBeNull();
    expect(await harness.owner.revokeCredentials("sandbox", activation.id, credentials.id)).toEqual(revoked);
    expect(await harness.owner.checkCredentials(credentials)).toBe(false);
  });

  it("throws a typed PortalError with status, code, the Portal's message and the operation", async () => {
    const error = await failureOf(harness.owner.getApplication(randomUUID()));
    expect(error).toBeInstanceOf(PortalError);
    expect(error).toMatchObject({ status: 404, code: "not_found", operation: "getApplication" });
    expect(error.portalMessage).toMatch(/No application .* is visible to this account/);
  });

  it("answers 401 for an unknown token", async () => {
    const error = await failureOf(harness.client("not-a-real-token").listApplications());
    expect(error).toMatchObject({ status: 401, code: "unauthorized", operation: "listApplications" });
  });
});
