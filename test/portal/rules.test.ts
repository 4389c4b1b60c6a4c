// Each Portal rule the emulator enforces: the allowed path and the refusal with its message.
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { activatedApplication, draftApplication, failureOf, publishedApplication, startHarness, type Harness } from "./helpers.js";

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterEach(() => {
  expect(harness.emulator.control.contractViolations()).toEqual([]);
});
afterAll(() => harness.close());

describe("drafts", () => {
  it("new applications are drafts and is_draft cannot be set by the developer", async () => {
    const { application } = await draftApplication(harness.owner);
    expect(application.is_draft).toBe(true);
    const response = await fetch(`${harness.url}/applications/${application.id}/`, {
      method: "PATCH",
      headers: { authorization: "Bearer owner-token-0001", "content-type": "application/json" },
      body: JSON.stringify({ is_draft: false }),
    });
    expect(response.status).toBe(422);
    expect(((await response.json()) as { message: string }).message).toMatch(/does not match the Portal contract \(updateApplication\)/);
    expect((await harness.owner.getApplication(application.id)).is_draft).toBe(true);
  });

  it("only a reviewer approval removes draft status; changes requested and rejection keep it", async () => {
    const { application } = await draftApplication(harness.owner);
    const first = await harness.owner.openReviewRequest(application.id, { message: "v1" });
    harness.emulator.control.decideReview(first.id, "reject", "Not compliant");
    expect((await harness.owner.getApplication(application.id)).is_draft).toBe(true);
    const second = await harness.owner.openReviewRequest(application.id, { message: "v2" });
    harness.emulator.control.decideReview(second.id, "request_changes", "Almost");
    expect((await harness.owner.getApplication(application.id)).is_draft).toBe(true);
    const third = await harness.owner.openReviewRequest(application.id, { message: "v3" });
    const approved = harness.emulator.control.decideReview(third.id, "approve", "Approved");
    expect(approved.status).toBe("approved");
    expect((await harness.owner.getApplication(application.id)).is_draft).toBe(false);
  });

  it("a decided review request cannot be decided again", () => {
    return (async () => {
      const { application } = await draftApplication(harness.owner);
      const review = await harness.owner.openReviewRequest(application.id, { message: "please" });
      harness.emulator.control.decideReview(review.id, "approve", "ok");
      expect(() => harness.emulator.control.decideReview(review.id, "reject", "no")).toThrow(/already decided \(approved\)/);
    })();
  });

  it("refuses a second review request while one is pending", async () => {
    const { application } = await draftApplication(harness.owner);
    await harness.owner.openReviewRequest(application.id, { message: "first" });
    const error = await failureOf(harness.owner.openReviewRequest(application.id, { message: "second" }));
    expect(error).toMatchObject({ status: 409, code: "review_already_pending" });
    expect(error.portalMessage).toMatch(/already has a pending review request/);
  });

  it("refuses a review request when there is nothing to review", async () => {
    const application = await harness.owner.createApplication({ name: "Empty", description: "" });
    const error = await failureOf(harness.owner.openReviewRequest(application.id, { message: "review" }));
    expect(error).toMatchObject({ status: 409, code: "nothing_to_review" });
    expect(error.portalMessage).toMatch(/add a service and a version/);
  });
});

describe("visibility", () => {
  it("hides a private application from other accounts (404, also in lists)", async () => {
    const { application } = await draftApplication(harness.owner);
    const error = await failureOf(harness.other.getApplication(application.id));
    expect(error).toMatchObject({ status: 404, code: "not_found" });
    expect(error.portalMessage).toBe(`No application ${application.id} is visible to this account.`);
    expect((await harness.other.listApplications()).map((entry) => entry.id)).not.toContain(application.id);
    expect(await failureOf(harness.other.listIntegrationLinks(application.id))).toMatchObject({ status: 404 });
  });

  it("shows a private application to the accounts it is shared with, who still cannot change it", async () => {
    const { application } = await draftApplication(harness.owner);
    await harness.owner.updateApplication(application.id, { shared_with: [harness.otherAccountId] });
    expect((await harness.other.getApplication(application.id)).id).toBe(application.id);
    expect((await harness.other.listApplications()).map((entry) => entry.id)).toContain(application.id);
    const error = await failureOf(harness.other.updateApplication(application.id, { name: "Mine now" }));
    expect(error).toMatchObject({ status: 403, code: "not_owner" });
    expect(error.portalMessage).toMatch(/only its owner can change it/);
  });

  it("shows a public application to everyone", async () => {
    const { application } = await draftApplication(harness.owner);
    await harness.owner.updateApplication(application.id, { visibility: "public" });
    expect((await harness.other.getApplication(application.id)).visibility).toBe("public");
  });
});

describe("services and versions", () => {
  it("service keys are unique within an application", async () => {
    const { application } = await draftApplication(harness.owner);
    const error = await failureOf(
      harness.owner.createService(application.id, { key: "invoices", name: "Again", description: "", activation_level: "tenant" }),
    );
    expect(error).toMatchObject({ status: 409, code: "service_key_taken" });
    expect(error.portalMessage).toMatch(/already has a service with key "invoices"/);
  });

  it("edits versions in place while the application is a draft", async () => {
    const { application, service, version } = await draftApplication(harness.owner);
    const edited = await harness.owner.updateServiceVersion(application.id, service.id, version.id, {
      description: "Edited",
      configuration: { batch_size: 10 },
    });
    expect(edited).toMatchObject({ id: version.id, version: 1, description: "Edited", configuration: { batch_size: 10 } });
  });

  it("refuses to edit a version once published and says to create a new version", async () => {
    const { application, service, version } = await publishedApplication(harness);
    for (const patch of [{ permissions: ["x:read"] }, { description: "new" }, { configuration: { a: 1 } }]) {
      const error = await failureOf(harness.owner.updateServiceVersion(application.id, service.id, version.id, patch));
      expect(error).toMatchObject({ status: 409, code: "application_published" });
      expect(error.portalMessage).toMatch(/is published.*create a new version \(2\)/);
    }
  });

  it("a new version must have a higher number, and old versions remain", async () => {
    const { application, service } = await publishedApplication(harness);
    const error = await failureOf(harness.owner.createServiceVersion(application.id, service.id, { version: 1, permissions: [] }));
    expect(error).toMatchObject({ status: 409, code: "version_not_higher" });
    expect(error.portalMessage).toMatch(/already has version 1; a new version must have a higher number \(for example 2\)/);
    await harness.owner.createServiceVersion(application.id, service.id, { version: 2, permissions: ["x:read"] });
    const versions = (await harness.owner.getApplication(application.id)).services[0]?.versions ?? [];
    expect(versions.map((entry) => entry.version)).toEqual([1, 2]);
  });

  it("rejects duplicate activation variable names", async () => {
    const { application, service } = await draftApplication(harness.owner);
    const variable = { name: "a", description: "", required: false };
    const error = await failureOf(
      harness.owner.createServiceVersion(application.id, service.id, { version: 2, permissions: [], activation_variables: [variable, variable] }),
    );
    expect(error).toMatchObject({ status: 422, code: "duplicate_activation_variable" });
  });
});

describe("integration links", () => {
  it("are empty for drafts and exist per environment once published", async () => {
    const draft = await draftApplication(harness.owner);
    expect(await harness.owner.listIntegrationLinks(draft.application.id)).toEqual([]);
    const published = await publishedApplication(harness);
    harness.emulator.control.activate({
      environment: "customer-links",
      service_version_id: published.version.id,
      activation_object_id: randomUUID(),
      activation_variables: { ledger_account: "1" },
    });
    const environments = (await harness.owner.listIntegrationLinks(published.application.id)).map((link) => link.environment);
    expect(environments).toEqual(expect.arrayContaining(["sandbox", "customer-links"]));
  });
});

describe("activations", () => {
  const activate = (versionId: string, objectId = randomUUID(), variables: Record<string, string> = { ledger_account: "1" }) =>
    harness.emulator.control.activate({
      environment: "sandbox",
      service_version_id: versionId,
      activation_object_id: objectId,
      activation_variables: variables,
    });

  it("refuses to activate a draft", async () => {
    const { version } = await draftApplication(harness.owner);
    expect(() => activate(version.id)).toThrow(/still a draft; only an approved review/);
  });

  it("activates at the service's activation level, in customer environments created on demand", async () => {
    const { version } = await publishedApplication(harness);
    const activation = harness.emulator.control.activate({
      environment: "customer-new",
      service_version_id: version.id,
      activation_object_id: randomUUID(),
      activation_variables: { ledger_account: "1" },
    });
    expect(activation.activation_content_type).toBe("company.company");
    expect(harness.emulator.control.snapshot().environments.map((environment) => environment.name)).toContain("customer-new");
  });

  it("refuses a deprecated version", async () => {
    const { application, service, version } = await publishedApplication(harness);
    await harness.owner.deprecateServiceVersion(application.id, service.id, version.id);
    expect(() => activate(version.id)).toThrow(/deprecated and cannot be activated/);
  });

  it("requires the version's required activation variables and no undeclared ones", async () => {
    const { version } = await publishedApplication(harness);
    expect(() => activate(version.id, randomUUID(), {})).toThrow(/needs the required activation variables ledger_account/);
    expect(() => activate(version.id, randomUUID(), { ledger_account: "1", colour: "red" })).toThrow(/no activation variable named colour/);
  });

  it("does not upgrade automatically: another version needs the old one deactivated first", async () => {
    const { application, service, version } = await publishedApplication(harness);
    const second = await harness.owner.createServiceVersion(application.id, service.id, { version: 2, permissions: [] });
    const objectId = randomUUID();
    const first = activate(version.id, objectId);
    expect(() => activate(second.id, objectId, {})).toThrow(/already active .* with version 1 .*deactivate it before activating another version/);
    const deactivated = harness.emulator.control.deactivate("sandbox", first.id);
    expect(deactivated).toMatchObject({ is_active: false, active_since: null });
    expect(activate(second.id, objectId, {}).is_active).toBe(true);
  });
});

describe("credentials", () => {
  it("are generated only for an active activation", async () => {
    const { activation } = await activatedApplication(harness);
    harness.emulator.control.deactivate("sandbox", activation.id);
    const error = await failureOf(harness.owner.generateCredentials("sandbox", activation.id));
    expect(error).toMatchObject({ status: 409, code: "activation_inactive" });
    expect(error.portalMessage).toMatch(/only generated for an active activation/);
  });

  it("stop working when the activation is deactivated", async () => {
    const { activation } = await activatedApplication(harness);
    const credentials = await harness.owner.generateCredentials("sandbox", activation.id);
    expect(await harness.owner.checkCredentials(credentials)).toBe(true);
    harness.emulator.control.deactivate("sandbox", activation.id);
    expect(await harness.owner.checkCredentials(credentials)).toBe(false);
  });

  it("the Core API read answers 401 for a wrong secret, a missing header or another activation", async () => {
    const { activation } = await activatedApplication(harness);
    const credentials = await harness.owner.generateCredentials("sandbox", activation.id);
    expect(await harness.owner.checkCredentials({ ...credentials, client_secret: "x".repeat(43) })).toBe(false);
    expect(await harness.owner.checkCredentials({ ...credentials, customer_id: randomUUID() })).toBe(false);
    const response = await fetch(`${harness.url}/accounts/users/api/integrationuseragent/${activation.id}/`, {
      headers: { "X-PIGELLO-CLIENT-SECRET": credentials.client_secret, "X-PIGELLO-CLIENT-ENTITY": activation.id },
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: "invalid_credentials" });
  });

  it("only the owner may generate or revoke them", async () => {
    const { application, activation } = await activatedApplication(harness);
    await harness.owner.updateApplication(application.id, { shared_with: [harness.otherAccountId] });
    expect(await failureOf(harness.other.generateCredentials("sandbox", activation.id))).toMatchObject({ status: 403, code: "not_owner" });
  });
});
