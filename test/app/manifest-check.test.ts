import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { createMemoryBlobCache } from "../../src/github/blob-cache.js";
import { createDynamoStore, ensureTable } from "../../src/store/dynamo.js";
import { startLocalDynamo } from "../../src/store/local.js";
import {
  createTestProbot,
  expectBlobs,
  expectNoRepoConfig,
  expectRepoConfig,
  expectTree,
  genuinePayload,
  githubApi,
  type RepoFile,
} from "../helpers/github.js";

const REPO = "Codertocat/Hello-World";
const CHECK_RUN_ID = 4242;

function manifest(slug: string, extra = ""): RepoFile {
  return {
    path: `.pigello/apps/${slug}.yml`,
    content: [
      "schemaVersion: 1",
      `name: ${slug} sync`,
      "description: Keeps supplier invoices in step with Pigello.",
      "services:",
      "  - key: invoices",
      "    name: Supplier invoices",
      "    description: Reads supplier invoices.",
      "    activationLevel: company",
      "    version: 1",
      "    permissions:",
      "      - accounts.company:read",
      extra,
    ].join("\n"),
  };
}

interface RerequestPayload {
  repository: { full_name: string };
  check_suite?: { head_sha: string };
  check_run?: { head_sha: string };
}

interface CheckRunUpdate {
  status?: string;
  conclusion?: string;
  output: { title: string; summary: string; annotations: Array<Record<string, unknown>> };
}

/** Records the check run's create and every update; the run id is fixed. */
function expectCheckRun(scope: nock.Scope, updates: number): { created: Record<string, unknown>[]; updates: CheckRunUpdate[] } {
  const seen = { created: [] as Record<string, unknown>[], updates: [] as CheckRunUpdate[] };
  scope.post(`/repos/${REPO}/check-runs`, (body) => (seen.created.push(body), true)).reply(201, { id: CHECK_RUN_ID });
  scope
    .patch(`/repos/${REPO}/check-runs/${CHECK_RUN_ID}`, (body) => (seen.updates.push(body as CheckRunUpdate), true))
    .times(updates)
    .reply(200, { id: CHECK_RUN_ID });
  return seen;
}

describe("the Pigello manifests check run", () => {
  const pullRequestOpened = genuinePayload<{ pull_request: { head: { sha: string } } }>("pull_request", "opened");
  const headSha = pullRequestOpened.pull_request.head.sha;

  beforeEach(() => nock.cleanAll());
  afterEach(() => {
    expect(nock.pendingMocks()).toEqual([]);
    nock.cleanAll();
  });

  it("passes a pull request whose manifests are valid, with a summary table", async () => {
    const files = [manifest("invoices"), manifest("tenants")];
    const api = githubApi();
    const run = expectCheckRun(api, 1);
    expectNoRepoConfig(api, REPO);
    expectTree(api, REPO, headSha, files);
    expectBlobs(api, REPO, files);

    await createTestProbot(createApp()).receive({ id: "1", name: "pull_request", payload: pullRequestOpened as never });

    expect(run.created[0]).toMatchObject({ name: "Pigello manifests", head_sha: headSha, status: "in_progress" });
    expect(run.updates).toHaveLength(1);
    expect(run.updates[0]).toMatchObject({ status: "completed", conclusion: "success", output: { title: "2 manifests valid" } });
    expect(run.updates[0]!.output.summary).toContain("| `.pigello/apps/invoices.yml` | invoices | ✅ valid | 0 | 0 |");
  });

  it("fails with an annotation on the exact line of an unknown field", async () => {
    const files = [manifest("invoices", "visiblity: private")];
    const api = githubApi();
    const run = expectCheckRun(api, 1);
    expectNoRepoConfig(api, REPO);
    expectTree(api, REPO, headSha, files);
    expectBlobs(api, REPO, files);

    await createTestProbot(createApp()).receive({ id: "2", name: "pull_request", payload: pullRequestOpened as never });

    const update = run.updates[0]!;
    expect(update).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(update.output.title).toMatch(/^1 error/);
    expect(update.output.annotations).toEqual([
      expect.objectContaining({
        path: ".pigello/apps/invoices.yml",
        start_line: 12,
        end_line: 12,
        start_column: 1,
        annotation_level: "failure",
        message: expect.stringContaining("visibility"),
      }),
    ]);
  });

  it("sends annotations in batches of 50 and concludes with the last batch", async () => {
    const unknownFields = Array.from({ length: 120 }, (_, index) => `unknownField${index}: x`).join("\n");
    const files = [manifest("invoices", unknownFields)];
    const api = githubApi();
    const run = expectCheckRun(api, 3);
    expectNoRepoConfig(api, REPO);
    expectTree(api, REPO, headSha, files);
    expectBlobs(api, REPO, files);

    await createTestProbot(createApp()).receive({ id: "3", name: "pull_request", payload: pullRequestOpened as never });

    expect(run.updates.map((update) => update.output.annotations.length)).toEqual([50, 50, 20]);
    expect(run.updates.map((update) => update.conclusion)).toEqual([undefined, undefined, "failure"]);
  });

  it("reads only the blobs it has not seen before on the next event", async () => {
    const unchanged = [manifest("invoices"), manifest("tenants")];
    const changed = manifest("tenants", "# edited");
    const app = createApp({ blobCache: createMemoryBlobCache() });

    const first = githubApi();
    expectCheckRun(first, 1);
    expectNoRepoConfig(first, REPO);
    expectTree(first, REPO, headSha, unchanged);
    expectBlobs(first, REPO, unchanged);
    await createTestProbot(app).receive({ id: "4", name: "pull_request", payload: pullRequestOpened as never });
    expect(nock.pendingMocks()).toEqual([]);

    const second = githubApi();
    expectCheckRun(second, 1);
    expectNoRepoConfig(second, REPO);
    expectTree(second, REPO, headSha, [unchanged[0]!, changed]);
    expectBlobs(second, REPO, [changed]);
    await createTestProbot(app).receive({ id: "5", name: "pull_request", payload: pullRequestOpened as never });
  });

  it("reads no unchanged blob from GitHub in a new process, through the store's shared cache", async () => {
    const dynamo = await startLocalDynamo();
    try {
      await ensureTable(dynamo.client, "blobs");
      const store = createDynamoStore({ client: dynamo.client, tableName: "blobs" });
      const files = [manifest("invoices"), manifest("tenants")];

      const first = githubApi();
      expectCheckRun(first, 1);
      expectNoRepoConfig(first, REPO);
      expectTree(first, REPO, headSha, files);
      expectBlobs(first, REPO, files);
      await createTestProbot(createApp({ store })).receive({ id: "10", name: "pull_request", payload: pullRequestOpened as never });
      expect(nock.pendingMocks()).toEqual([]);

      // A cold Lambda: a new app with an empty memory, the same store.
      const second = githubApi();
      expectCheckRun(second, 1);
      expectNoRepoConfig(second, REPO);
      expectTree(second, REPO, headSha, files);
      await createTestProbot(createApp({ store })).receive({ id: "11", name: "pull_request", payload: pullRequestOpened as never });
    } finally {
      await dynamo.stop();
    }
  });

  it("reports a manifest over 256 KiB without downloading it", async () => {
    const huge = { path: ".pigello/apps/huge.yml", content: new Uint8Array(300 * 1024).fill(0x61) };
    const api = githubApi();
    const run = expectCheckRun(api, 1);
    expectNoRepoConfig(api, REPO);
    expectTree(api, REPO, headSha, [huge]);
    // No blob expectation: any blob read would fail the test.

    await createTestProbot(createApp()).receive({ id: "12", name: "pull_request", payload: pullRequestOpened as never });

    expect(run.updates[0]).toMatchObject({ conclusion: "failure" });
    expect(run.updates[0]!.output.annotations).toEqual([
      expect.objectContaining({ path: ".pigello/apps/huge.yml", start_line: 1, message: expect.stringContaining("larger than 256 KiB") }),
    ]);
  });

  it("reports an invalid .github/pigello.yml in the check run", async () => {
    const api = githubApi();
    const run = expectCheckRun(api, 1);
    expectRepoConfig(api, REPO, "manifests: 5\nprune: maybe\n");

    await createTestProbot(createApp()).receive({ id: "6", name: "pull_request", payload: pullRequestOpened as never });

    expect(run.updates[0]).toMatchObject({
      conclusion: "failure",
      output: { title: "The repository config is invalid" },
    });
    expect(run.updates[0]!.output.summary).toContain("manifests");
  });

  it("uses the manifest glob from .github/pigello.yml", async () => {
    const files = [{ ...manifest("invoices"), path: "pigello/invoices.yaml" }];
    const api = githubApi();
    const run = expectCheckRun(api, 1);
    expectRepoConfig(api, REPO, "manifests: 'pigello/*.yaml'\n");
    expectTree(api, REPO, headSha, files);
    expectBlobs(api, REPO, files);

    await createTestProbot(createApp()).receive({ id: "7", name: "pull_request", payload: pullRequestOpened as never });

    expect(run.updates[0]).toMatchObject({ conclusion: "success", output: { title: "1 manifest valid" } });
  });

  it("leaves a re-run of a sync check alone: a sync is retried by redelivering its push", async () => {
    nock.disableNetConnect();
    const payload = genuinePayload<RerequestPayload & { check_run: { name: string } }>("check_run", "rerequested");
    payload.check_run.name = "Pigello sync";
    await createTestProbot(createApp()).receive({ id: "14", name: "check_run", payload: payload as never });
  });

  it("merges organisation defaults through `_extends`, as Probot's config loader does", async () => {
    const files = [{ ...manifest("invoices"), path: "apps/invoices.yml" }];
    const api = githubApi();
    const run = expectCheckRun(api, 1);
    expectRepoConfig(api, REPO, "_extends: .github\nprune: true\n");
    expectRepoConfig(api, "Codertocat/.github", "manifests: 'apps/*.yml'\n");
    expectTree(api, REPO, headSha, files);
    expectBlobs(api, REPO, files);

    await createTestProbot(createApp()).receive({ id: "13", name: "pull_request", payload: pullRequestOpened as never });

    expect(run.updates[0]).toMatchObject({ conclusion: "success", output: { title: "1 manifest valid" } });
  });

  it("still concludes the check run, as a failure with the reason, when reading the tree fails", async () => {
    const api = githubApi();
    const run = expectCheckRun(api, 1);
    expectNoRepoConfig(api, REPO);
    api.get(`/repos/${REPO}/git/trees/${headSha}`).query({ recursive: "true" }).reply(500, { message: "Server Error" });

    await createTestProbot(createApp()).receive({ id: "8", name: "pull_request", payload: pullRequestOpened as never });

    expect(run.updates[0]).toMatchObject({
      status: "completed",
      conclusion: "failure",
      output: { title: "Pigello manifests could not finish" },
    });
    expect(run.updates[0]!.output.summary).toContain("Server Error");
  });

  it.each([
    ["check_suite", "rerequested", (payload: RerequestPayload) => payload.check_suite!.head_sha],
    ["check_run", "rerequested", (payload: RerequestPayload) => payload.check_run!.head_sha],
  ])("runs again on %s.%s at that head commit", async (name, action, headOf) => {
    const payload = genuinePayload<RerequestPayload>(name, action);
    const repo = payload.repository.full_name;
    const sha = headOf(payload);
    const files = [manifest("invoices")];
    const api = githubApi();
    api.post(`/repos/${repo}/check-runs`, (body) => body.head_sha === sha).reply(201, { id: 1 });
    api.patch(`/repos/${repo}/check-runs/1`, (body) => body.conclusion === "success").reply(200, {});
    expectNoRepoConfig(api, repo);
    expectTree(api, repo, sha, files);
    expectBlobs(api, repo, files);

    await createTestProbot(createApp()).receive({ id: "9", name: name as never, payload: payload as never });
  });
});
