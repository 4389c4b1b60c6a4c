import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { PLAN_COMMENT_MARKER } from "../../src/reconcile/render.js";
import { syncRepository } from "../../src/reconcile/sync.js";
import type { StateStore } from "../../src/store/port.js";
import { createTestProbot, expectBlobs, expectNoRepoConfig, expectTree, genuinePayload, githubApi, type RepoFile } from "../helpers/github.js";
import { desired, startWorld, type World } from "../helpers/world.js";

const REPO = "Codertocat/Hello-World";
const pullRequest = genuinePayload<{ number: number; pull_request: { head: { sha: string } } }>("pull_request", "opened");
const headSha = pullRequest.pull_request.head.sha;

function manifestFile(description: string, version = 1, permissions = ["accounts.company:read"]): RepoFile {
  return {
    path: ".pigello/apps/invoices.yml",
    content: [
      "schemaVersion: 1",
      "name: invoices app",
      `description: ${description}`,
      "services:",
      "  - key: sync",
      "    name: Sync",
      "    description: Syncs data.",
      "    activationLevel: company",
      `    version: ${version}`,
      "    permissions:",
      ...permissions.map((permission) => `      - ${permission}`),
      "",
    ].join("\n"),
  };
}

interface Seen {
  conclusion?: string;
  annotations: Array<Record<string, unknown>>;
  created: string[];
  updated: string[];
}

/** One pull_request event; `existing` is what GitHub already has as comments. */
async function checkPullRequest(
  store: StateStore,
  file: RepoFile,
  existing: Array<{ id: number; body: string }> = [],
  options: { blobCached?: boolean } = {},
): Promise<Seen> {
  const seen: Seen = { annotations: [], created: [], updated: [] };
  const api = githubApi();
  api.post(`/repos/${REPO}/check-runs`).reply(201, { id: 1 });
  api
    .patch(`/repos/${REPO}/check-runs/1`, (update) => {
      seen.conclusion = update.conclusion;
      seen.annotations.push(...update.output.annotations);
      return true;
    })
    .reply(200, {});
  expectNoRepoConfig(api, REPO);
  expectTree(api, REPO, headSha, [file]);
  // The store's shared blob cache serves a manifest the bot has read before.
  if (!options.blobCached) expectBlobs(api, REPO, [file]);
  api
    .get(`/repos/${REPO}/issues/${pullRequest.number}/comments`)
    .query(true)
    .reply(200, existing.map((comment) => ({ ...comment, user: { login: "pigello-portal-bot[bot]", type: "Bot" } })));
  api.post(`/repos/${REPO}/issues/${pullRequest.number}/comments`, (body) => (seen.created.push(body.body), true)).optionally().reply(201, { id: 5 });
  api.patch(/\/repos\/Codertocat\/Hello-World\/issues\/comments\/\d+/, (body) => (seen.updated.push(body.body), true)).optionally().reply(200, {});
  await createTestProbot(createApp({ portal: world.portal, store })).receive({ id: "plan", name: "pull_request", payload: pullRequest as never });
  expect(nock.pendingMocks()).toEqual([]);
  // The optional comment expectations must not answer the next event's requests.
  nock.cleanAll();
  return seen;
}

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => world.close());
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

/** The Portal already holds what `manifestFile(description)` describes, synced by this repository. */
async function synced(description: string, publish = false): Promise<StateStore> {
  const store = await world.freshStore();
  const manifests = [desired({ slug: "invoices", description })];
  const outcome = await syncRepository({ portal: world.portal, store }, { repo: { owner: "Codertocat", repo: "Hello-World" }, branch: "master", commit: "seed", actor: "t", manifests, prune: false });
  if (publish) {
    const review = await world.portal.openReviewRequest(outcome.results[0]!.applicationId!, { message: "Review, please." });
    world.emulator.control.decideReview(review.id, "approve", "Fine.");
  }
  return store;
}

describe("the plan comment", () => {
  it("stays quiet when nothing would change", async () => {
    const seen = await checkPullRequest(await synced("Already there."), manifestFile("Already there."));
    expect(seen.conclusion).toBe("success");
    expect(seen.created).toEqual([]);
    expect(seen.updated).toEqual([]);
  });

  it("is created once, then edited in place, never a second one", async () => {
    const store = await synced("Before.");
    const first = await checkPullRequest(store, manifestFile("After."));
    expect(first.created).toHaveLength(1);
    expect(first.created[0]).toContain('~ application description: "Before." → "After."');
    expect(first.created[0]).toContain("**1 application: 1 to change.**");

    const again = await checkPullRequest(store, manifestFile("After."), [{ id: 5, body: first.created[0]! }], { blobCached: true });
    expect(again.created).toEqual([]);
    expect(again.updated).toEqual([]);

    const edited = await checkPullRequest(store, manifestFile("After, edited."), [{ id: 5, body: first.created[0]! }]);
    expect(edited.created).toEqual([]);
    expect(edited.updated).toHaveLength(1);
    expect(edited.updated[0]).toContain('"After, edited."');
  });

  it("says there is nothing left to do once an earlier plan no longer applies", async () => {
    const store = await synced("Same.");
    const seen = await checkPullRequest(store, manifestFile("Same."), [{ id: 5, body: `${PLAN_COMMENT_MARKER}\nan older plan` }]);
    expect(seen.updated).toHaveLength(1);
    expect(seen.updated[0]).toContain("**1 application: 1 unchanged.**");
  });

  it("replaces an earlier plan with a note while the manifests have errors", async () => {
    const store = await synced("Valid.");
    const broken: RepoFile = { path: ".pigello/apps/invoices.yml", content: "schemaVersion: 1\nname: x\n" };
    const seen = await checkPullRequest(store, broken, [{ id: 5, body: `${PLAN_COMMENT_MARKER}\nan older plan` }]);
    expect(seen.conclusion).toBe("failure");
    expect(seen.updated).toEqual([expect.stringContaining("No plan while manifests have errors")]);
  });

  it("fails the check on the `version` line when a published version changes without a new version", async () => {
    const store = await synced("Published.", true);
    const seen = await checkPullRequest(store, manifestFile("Published.", 1, ["accounts.company:read", "accounts.tenant:read"]));
    expect(seen.conclusion).toBe("failure");
    expect(seen.annotations).toEqual([
      expect.objectContaining({ path: ".pigello/apps/invoices.yml", start_line: 9, annotation_level: "failure", message: expect.stringMatching(/raise `version` to 2/) }),
    ]);
    expect(seen.created[0]).toContain("The Portal would refuse these manifests as written");
  });
});
