import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { SYNC_COMMENT_MARKER } from "../../src/reconcile/render.js";
import {
  createTestProbot,
  expectBlobs,
  expectCompletedCheckRun,
  expectNoRepoConfig,
  expectTree,
  genuineBranchPush,
  genuinePayload,
  githubApi,
  type PushPayload,
} from "../helpers/github.js";
import { startWorld, type World } from "../helpers/world.js";

const REPO = "Codertocat/Hello-World";

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => world.close());
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

async function receive(payload: PushPayload, id: string) {
  const app = createApp({ portal: world.portal, store: await world.freshStore() });
  await createTestProbot(app).receive({ id, name: "push", payload: payload as never });
}

describe("a push", () => {
  it("to a tag is never applied and costs no GitHub request", async () => {
    nock.disableNetConnect();
    nock.enableNetConnect((host) => host.startsWith("127.0.0.1"));
    const tag = genuinePayload<PushPayload>("push", (example) => String(example.ref).startsWith("refs/tags/") && example.deleted === false);
    await receive(tag, "tag-push");
    expect(world.emulator.control.requests()).toEqual([]);
  });

  it("to another branch is never applied", async () => {
    nock.disableNetConnect();
    nock.enableNetConnect((host) => host.startsWith("127.0.0.1"));
    await receive(genuineBranchPush({ ref: "refs/heads/feature/x", touched: [".pigello/apps/a.yml"] }), "branch-push");
    expect(world.emulator.control.requests()).toEqual([]);
  });

  it("to the default branch that touches no manifest reads only the config", async () => {
    const api = githubApi();
    expectNoRepoConfig(api, REPO);
    await receive(genuineBranchPush({ touched: ["README.md"] }), "readme-push");
    expect(world.emulator.control.requests()).toEqual([]);
  });

  it("that fails on the Portal shows a failed check run and stays retryable by redelivery", async () => {
    const sha = "e".repeat(40);
    const file = { path: ".pigello/apps/down.yml", content: "schemaVersion: 1\nname: Down\ndescription: d\nservices:\n  - key: s\n    name: S\n    description: d\n    activationLevel: company\n    version: 1\n    permissions: [accounts.company:read]\n" };
    const store = await world.freshStore();
    const app = createApp({ portal: world.portal, store });
    world.emulator.control.addFault({ kind: "error", method: "GET", path: "/applications/", status: 503, times: 10 });

    const api = githubApi();
    expectNoRepoConfig(api, REPO);
    const check = expectCompletedCheckRun(api, REPO, 78);
    expectTree(api, REPO, sha, [file]);
    expectBlobs(api, REPO, [file]);
    api.get(`/repos/${REPO}/commits/${sha}/pulls`).reply(200, []);
    await expect(createTestProbot(app).receive({ id: "portal-down", name: "push", payload: genuineBranchPush({ after: sha, touched: [file.path] }) as never })).rejects.toThrow();
    expect(check).toMatchObject({ name: "Pigello sync", conclusion: "failure", title: "Pigello sync could not finish" });
    world.emulator.control.resetFaults();

    // The delivery was forgotten, so GitHub's redelivery is handled, not dropped.
    expect(await store.rememberDelivery("portal-down", 60)).toBe(true);
  });

  it("with invalid manifests syncs nothing and says so on the merged pull request", async () => {
    const sha = "d".repeat(40);
    const broken = { path: ".pigello/apps/broken.yml", content: "schemaVersion: 1\nname: Broken\n" };
    const api = githubApi();
    expectNoRepoConfig(api, REPO);
    const check = expectCompletedCheckRun(api, REPO, 77);
    expectTree(api, REPO, sha, [broken]);
    expectBlobs(api, REPO, [broken]);
    api.get(`/repos/${REPO}/commits/${sha}/pulls`).reply(200, [{ number: 9, merge_commit_sha: sha, merged_at: "2026-12-04T12:00:00Z" }]);
    api.get(`/repos/${REPO}/issues/9/comments`).query(true).reply(200, []);
    let comment = "";
    api.post(`/repos/${REPO}/issues/9/comments`, (body) => ((comment = body.body), true)).reply(201, { id: 1 });

    await receive(genuineBranchPush({ after: sha, touched: [broken.path] }), "broken-push");

    expect(comment.startsWith(SYNC_COMMENT_MARKER)).toBe(true);
    expect(comment).toMatch(/manifest error\(s\) at ddddddd; nothing was synced/);
    expect(check).toMatchObject({ name: "Pigello sync", headSha: sha, conclusion: "failure", title: "Nothing synced: the manifests have errors" });
    expect(world.emulator.control.requests().filter((request) => request.method !== "GET")).toEqual([]);
  });
});
