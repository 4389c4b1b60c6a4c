import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { SYNC_COMMENT_MARKER } from "../../src/reconcile/render.js";
import { createTestProbot, expectBlobs, expectNoRepoConfig, expectTree, genuineBranchPush, genuinePayload, githubApi, type PushPayload } from "../helpers/github.js";
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

  it("with invalid manifests syncs nothing and says so on the merged pull request", async () => {
    const sha = "d".repeat(40);
    const broken = { path: ".pigello/apps/broken.yml", content: "schemaVersion: 1\nname: Broken\n" };
    const api = githubApi();
    expectNoRepoConfig(api, REPO);
    expectTree(api, REPO, sha, [broken]);
    expectBlobs(api, REPO, [broken]);
    api.get(`/repos/${REPO}/commits/${sha}/pulls`).reply(200, [{ number: 9, merge_commit_sha: sha, merged_at: "2026-12-04T12:00:00Z" }]);
    api.get(`/repos/${REPO}/issues/9/comments`).query(true).reply(200, []);
    let comment = "";
    api.post(`/repos/${REPO}/issues/9/comments`, (body) => ((comment = body.body), true)).reply(201, { id: 1 });

    await receive(genuineBranchPush({ after: sha, touched: [broken.path] }), "broken-push");

    expect(comment.startsWith(SYNC_COMMENT_MARKER)).toBe(true);
    expect(comment).toMatch(/manifest error\(s\) at ddddddd; nothing was synced/);
    expect(world.emulator.control.requests().filter((request) => request.method !== "GET")).toEqual([]);
  });
});
