import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPortalClient } from "../../src/portal/client.js";
import { planRepository, syncRepository, type SyncRequest } from "../../src/reconcile/sync.js";
import { BOT_TOKEN, desired, startWorld, type World } from "../helpers/world.js";

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => world.close());

function request(repo: string, manifests = [desired({ slug: "invoices" })], overrides: Partial<SyncRequest> = {}): SyncRequest {
  return { repo: { owner: "acme", repo }, branch: "main", commit: "c0ffee1234567890", actor: "octocat", pullRequest: 7, manifests, prune: false, ...overrides };
}

const applicationsNamed = (name: string) => world.emulator.control.snapshot().applications.filter((application) => application.name === name);

describe("syncRepository against the Portal emulator and a DynamoDB store", () => {
  it("creates the draft, remembers its ids, audits each write, and does nothing on a second run", async () => {
    const store = await world.freshStore();
    const deps = { portal: world.portal, store };
    const first = await syncRepository(deps, request("first", [desired({ slug: "first-app", name: "First app" })]));

    expect(first.refused).toEqual([]);
    const [result] = first.results;
    expect(result!.outcomes.map((outcome) => [outcome.action.type, outcome.ok])).toEqual([
      ["create-application", true],
      ["create-service", true],
      ["create-version", true],
    ]);
    const record = await store.getApplication({ owner: "acme", repo: "first" }, "first-app");
    expect(record).toMatchObject({ applicationId: result!.applicationId, lastAppliedCommit: "c0ffee1234567890" });
    expect(Object.keys(record!.services.sync!.versions)).toEqual(["1"]);
    const application = await world.portal.getApplication(result!.applicationId!);
    expect(application).toMatchObject({ name: "First app", is_draft: true, visibility: "private" });
    const audit = await store.listAudit({ owner: "acme", repo: "first" });
    expect(audit.map((entry) => entry.action).sort()).toEqual(["create-application", "create-service", "create-version"]);
    expect(audit[0]).toMatchObject({ actor: "octocat", commit: "c0ffee1234567890", pullRequest: 7 });
    expect(await store.getLastAppliedCommit({ owner: "acme", repo: "first" }, "main")).toBe("c0ffee1234567890");

    const again = await syncRepository(deps, request("first", [desired({ slug: "first-app", name: "First app" })]));
    expect(again.results).toEqual([]);
    expect(applicationsNamed("First app")).toHaveLength(1);
  });

  it.each([
    ["the application create", "/applications/"],
    ["the service create", "/applications/*/services/"],
    ["the version create", "/applications/*/services/*/versions/"],
  ])("resumes without duplicates when %s succeeded but its answer was lost", async (_, path) => {
    const store = await world.freshStore();
    const name = `Interrupted at ${path}`;
    const manifests = [desired({ slug: "interrupted", name })];
    // No retries: the lost answer ends this sync, as a crash would.
    const fragile = createPortalClient({ baseUrl: world.portalUrl, token: BOT_TOKEN, retry: { retries: 0, minDelayMs: 1, maxDelayMs: 1 } });
    world.emulator.control.addFault({ kind: "drop_response", method: "POST", path });

    const interrupted = await syncRepository({ portal: fragile, store }, request(`resume-${path.length}`, manifests));
    expect(interrupted.results[0]!.outcomes.at(-1)!.ok).toBe(false);

    const resumed = await syncRepository({ portal: world.portal, store }, request(`resume-${path.length}`, manifests));
    expect(resumed.results.flatMap((result) => result.outcomes).every((outcome) => outcome.ok)).toBe(true);
    expect(resumed.refused).toEqual([]);

    const [application] = applicationsNamed(name);
    expect(applicationsNamed(name)).toHaveLength(1);
    const snapshot = world.emulator.control.snapshot();
    const services = snapshot.services.filter((service) => service.application_id === application!.id);
    expect(services).toHaveLength(1);
    expect(snapshot.versions.filter((version) => version.service_id === services[0]!.id)).toHaveLength(1);
    const plan = await planRepository({ portal: world.portal, store }, request(`resume-${path.length}`, manifests));
    expect(plan.applications[0]!.status).toBe("unchanged");
    const record = await store.getApplication({ owner: "acme", repo: `resume-${path.length}` }, "interrupted");
    expect(record).toMatchObject({ applicationId: application!.id, services: { sync: { serviceId: services[0]!.id, versions: { "1": expect.any(String) } } } });
  });

  it("finishes an interrupted create even when the manifest changed before the retry, then catches up", async () => {
    const store = await world.freshStore();
    const repo = "changed-before-retry";
    const fragile = createPortalClient({ baseUrl: world.portalUrl, token: BOT_TOKEN, retry: { retries: 0, minDelayMs: 1, maxDelayMs: 1 } });
    world.emulator.control.addFault({ kind: "drop_response", method: "POST", path: "/applications/" });
    await syncRepository({ portal: fragile, store }, request(repo, [desired({ slug: "moving", name: "Moving target", description: "First words." })]));
    expect(applicationsNamed("Moving target")).toHaveLength(1);

    const resumed = await syncRepository({ portal: world.portal, store }, request(repo, [desired({ slug: "moving", name: "Moving target", description: "Second words." })]));

    expect(resumed.results[0]!.outcomes.map((outcome) => [outcome.action.type, outcome.ok])).toEqual([
      ["create-application", true],
      ["create-service", true],
      ["create-version", true],
      ["update-application", true],
    ]);
    const [application] = applicationsNamed("Moving target");
    expect(applicationsNamed("Moving target")).toHaveLength(1);
    expect(application!.description).toBe("Second words.");
    expect(await store.getPendingCreate({ owner: "acme", repo }, "moving", "application")).toBeUndefined();
  });

  it("creates a new draft when the recorded application is gone from the Portal", async () => {
    const store = await world.freshStore();
    const repo = { owner: "acme", repo: "gone" };
    await store.putApplication({ repo, slug: "phoenix", applicationId: "9d2f7f4e-0c1b-4a57-8a8e-3f1f3f0a9b21", services: {}, updatedAt: new Date().toISOString() });

    const outcome = await syncRepository({ portal: world.portal, store }, request("gone", [desired({ slug: "phoenix", name: "Phoenix" })]));

    expect(outcome.plan.applications[0]!.notes[0]).toMatch(/gone from the Portal/);
    expect(applicationsNamed("Phoenix")).toHaveLength(1);
    expect((await store.getApplication(repo, "phoenix"))!.applicationId).toBe(applicationsNamed("Phoenix")[0]!.id);
  });

  it("names the holder when another sync holds the application's lock", async () => {
    const store = await world.freshStore();
    const repo = { owner: "acme", repo: "locked" };
    const held = await store.acquireLock(repo, "invoices", { holder: "sync of 1234567 by @hubot", command: "/pigello sync" }, 60_000);
    expect(held.acquired).toBe(true);

    const outcome = await syncRepository({ portal: world.portal, store }, request("locked"), { lockWaitMs: 0 });
    expect(outcome.results).toEqual([]);
    expect(outcome.refused[0]).toMatch(/\*\*invoices\*\* was not synced: sync of 1234567 by @hubot holds its lock until/);
    expect(await store.getLastAppliedCommit(repo, "main")).toBeUndefined();
  });

  it("reports the Portal's refusal and applies nothing after it", async () => {
    const store = await world.freshStore();
    world.emulator.control.addFault({ kind: "error", method: "POST", path: "/applications/*/services/", status: 503, times: 10 });
    const outcome = await syncRepository({ portal: world.portal, store }, request("refused", [desired({ slug: "refused", name: "Refused app" })]));
    world.emulator.control.resetFaults();
    const [result] = outcome.results;
    expect(result!.outcomes.map((outcome) => outcome.ok)).toEqual([true, false]);
    expect(result!.outcomes[1]!.error).toBeTruthy();
    expect(result!.skipped.map((action) => action.type)).toEqual(["create-version"]);
  });
});
