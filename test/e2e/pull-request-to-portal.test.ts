// End to end over real HTTP: signed webhooks through the Lambda handler, the real app, the Portal
// emulator on a socket, dynalite as the store. Only GitHub is recorded expectations (nock).
import { createHmac } from "node:crypto";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { createMemoryBlobCache } from "../../src/github/blob-cache.js";
import { createWebhookHandler } from "../../src/handlers/webhook.js";
import { PLAN_COMMENT_MARKER, SYNC_COMMENT_MARKER } from "../../src/reconcile/render.js";
import type { StateStore } from "../../src/store/port.js";
import {
  createTestProbot,
  expectBlobs,
  expectCompletedCheckRun,
  expectNoRepoConfig,
  expectTree,
  genuineBranchPush,
  genuinePayload,
  githubApi,
  TEST_WEBHOOK_SECRET,
  type PushPayload,
  type RecordedCheckRun,
  type RepoFile,
} from "../helpers/github.js";
import { startWorld, type World } from "../helpers/world.js";

const REPO = "Codertocat/Hello-World";
const PATH = ".pigello/apps/invoices.yml";

function manifest(options: { description: string; version: number; permissions: string[] }): RepoFile {
  return {
    path: PATH,
    content: [
      "schemaVersion: 1",
      "name: Invoice sync",
      `description: ${options.description}`,
      "services:",
      "  - key: supplier-invoices",
      "    name: Supplier invoices",
      "    description: Reads supplier invoices for each company.",
      "    activationLevel: company",
      `    version: ${options.version}`,
      "    permissions:",
      ...options.permissions.map((permission) => `      - ${permission}`),
      "",
    ].join("\n"),
  };
}

interface Comment {
  id: number;
  body: string;
  user: { login: string; type: string };
}

/** GitHub's comments on the pull request, as this fake keeps them between events. */
const comments: Comment[] = [];
let nextCommentId = 100;

function expectComments(scope: nock.Scope, number: number) {
  scope.get(`/repos/${REPO}/issues/${number}/comments`).query(true).reply(200, () => comments);
  scope
    .post(`/repos/${REPO}/issues/${number}/comments`)
    .optionally()
    .reply(201, (_uri, body) => {
      const comment = { id: nextCommentId++, body: (body as { body: string }).body, user: { login: "pigello-portal-bot[bot]", type: "Bot" } };
      comments.push(comment);
      return comment;
    });
  scope
    .patch(/\/repos\/Codertocat\/Hello-World\/issues\/comments\/\d+/)
    .optionally()
    .reply(200, (uri, body) => {
      const comment = comments.find((candidate) => uri.endsWith(`/${candidate.id}`))!;
      comment.body = (body as { body: string }).body;
      return comment;
    });
}

let world: World;
let store: StateStore;
let handler: ReturnType<typeof createWebhookHandler>;

async function deliver(name: string, payload: unknown, id: string) {
  const body = JSON.stringify(payload);
  const event = {
    version: "2.0",
    routeKey: "POST /api/github/webhooks",
    rawPath: "/api/github/webhooks",
    rawQueryString: "",
    isBase64Encoded: false,
    body,
    headers: {
      "x-github-delivery": id,
      "x-github-event": name,
      "x-hub-signature-256": `sha256=${createHmac("sha256", TEST_WEBHOOK_SECRET).update(body).digest("hex")}`,
    },
    requestContext: {},
  } as unknown as APIGatewayProxyEventV2;
  const response = await handler(event, {} as Context);
  expect(response.statusCode).toBe(200);
}

/** GitHub's genuine push to the default branch, moved to `sha` and touching the manifest. */
function pushOf(sha: string): PushPayload {
  return genuineBranchPush({ after: sha, touched: [PATH] });
}

function expectSyncReads(scope: nock.Scope, sha: string, file: RepoFile, newBlob: boolean): RecordedCheckRun {
  expectNoRepoConfig(scope, REPO);
  const check = expectCompletedCheckRun(scope, REPO, 900);
  expectTree(scope, REPO, sha, [file]);
  if (newBlob) expectBlobs(scope, REPO, [file]);
  scope
    .get(`/repos/${REPO}/commits/${sha}/pulls`)
    .reply(200, [{ number: 2, merge_commit_sha: sha, merged_at: "2026-12-04T12:00:00Z" }]);
  expectComments(scope, 2);
  return check;
}

const versionsOfInvoices = () => {
  const snapshot = world.emulator.control.snapshot();
  const application = snapshot.applications.find((candidate) => candidate.name === "Invoice sync")!;
  const service = snapshot.services.find((candidate) => candidate.application_id === application.id)!;
  return snapshot.versions.filter((version) => version.service_id === service.id).map((version) => ({ version: version.version, permissions: version.permissions, deprecated: version.is_deprecated }));
};

describe("a manifest's journey from pull request to Portal draft to published versions", () => {
  beforeAll(async () => {
    world = await startWorld();
    store = await world.freshStore();
    const app = createApp({ blobCache: createMemoryBlobCache(), portal: world.portal, store });
    handler = createWebhookHandler(createTestProbot(() => {}), app);
  });
  afterEach(() => {
    expect(nock.pendingMocks()).toEqual([]);
    nock.cleanAll();
  });
  afterAll(async () => world.close());

  const v1 = manifest({ description: "Syncs supplier invoices.", version: 1, permissions: ["accounts.company:read"] });

  it("1. a pull request gets the check run and one sticky plan comment", async () => {
    const pullRequest = genuinePayload<{ number: number; pull_request: { head: { sha: string } } }>("pull_request", "opened");
    const api = githubApi();
    let checkSummary = "";
    api.post(`/repos/${REPO}/check-runs`).reply(201, { id: 1 });
    api
      .patch(`/repos/${REPO}/check-runs/1`, (update) => ((checkSummary = update.output.summary), update.conclusion === "success"))
      .reply(200, {});
    expectNoRepoConfig(api, REPO);
    expectTree(api, REPO, pullRequest.pull_request.head.sha, [v1]);
    expectBlobs(api, REPO, [v1]);
    expectComments(api, pullRequest.number);

    await deliver("pull_request", pullRequest, "pr-opened");

    expect(comments).toHaveLength(1);
    expect(comments[0]!.body.startsWith(PLAN_COMMENT_MARKER)).toBe(true);
    expect(comments[0]!.body).toContain('+ application "Invoice sync" (private, draft)');
    expect(comments[0]!.body).toContain("**1 application: 1 to create.**");
    expect(checkSummary).toContain("1 application: 1 to create");
    expect(world.emulator.control.snapshot().applications).toEqual([]);
  });

  it("2. the push of the merge creates the draft in the Portal and comments the result", async () => {
    // The genuine push payload carries its own installation, so the app asks for its token once.
    const api = githubApi();
    // The blob was read for the pull request already: the cache serves it.
    const check = expectSyncReads(api, "a".repeat(40), v1, false);

    await deliver("push", pushOf("a".repeat(40)), "push-1");

    const [application] = world.emulator.control.snapshot().applications;
    expect(application).toMatchObject({ name: "Invoice sync", description: "Syncs supplier invoices.", is_draft: true, visibility: "private" });
    expect(versionsOfInvoices()).toEqual([{ version: 1, permissions: ["accounts.company:read"], deprecated: false }]);
    const sync = comments.find((comment) => comment.body.startsWith(SYNC_COMMENT_MARKER))!;
    expect(sync.body).toContain(application!.id);
    expect(sync.body).toContain("**3 Portal changes applied.**");
    expect(comments).toHaveLength(2);
    expect(check).toMatchObject({ name: "Pigello sync", headSha: "a".repeat(40), conclusion: "success", title: "3 Portal change(s) applied" });
    expect(check.summary).toBe(sync.body);
  });

  it("3. a second push with a changed description updates the draft in place", async () => {
    const edited = manifest({ description: "Syncs supplier invoices, nightly.", version: 1, permissions: ["accounts.company:read"] });
    const api = githubApi({ installationTokenCached: true });
    expectSyncReads(api, "b".repeat(40), edited, true);

    await deliver("push", pushOf("b".repeat(40)), "push-2");

    const applications = world.emulator.control.snapshot().applications;
    expect(applications).toHaveLength(1);
    expect(applications[0]).toMatchObject({ description: "Syncs supplier invoices, nightly.", is_draft: true });
    expect(comments).toHaveLength(2);
    expect(comments.find((comment) => comment.body.startsWith(SYNC_COMMENT_MARKER))!.body).toContain("description");
  });

  it("4. after a reviewer's approval, a permission change with a raised version creates version 2 and keeps version 1", async () => {
    const [application] = world.emulator.control.snapshot().applications;
    const review = await world.portal.openReviewRequest(application!.id, { message: "Ready for review." });
    world.emulator.control.decideReview(review.id, "approve", "Approved.");
    expect((await world.portal.getApplication(application!.id)).is_draft).toBe(false);

    const v2 = manifest({ description: "Syncs supplier invoices, nightly.", version: 2, permissions: ["accounts.company:read", "accounting.supplierinvoice:write"] });
    const api = githubApi({ installationTokenCached: true });
    expectSyncReads(api, "c".repeat(40), v2, true);

    await deliver("push", pushOf("c".repeat(40)), "push-3");

    expect(versionsOfInvoices()).toEqual([
      { version: 1, permissions: ["accounts.company:read"], deprecated: false },
      { version: 2, permissions: ["accounting.supplierinvoice:write", "accounts.company:read"], deprecated: false },
    ]);
    const audit = await store.listAudit({ owner: "Codertocat", repo: "Hello-World" });
    expect(audit.map((entry) => entry.action)).toEqual(["create-version", "update-application", "create-version", "create-service", "create-application"]);
  });

  it("5. a redelivered push does nothing new", async () => {
    nock.disableNetConnect();
    nock.enableNetConnect((host) => host.startsWith("127.0.0.1"));
    const writesBefore = world.emulator.control.requests().filter((request) => request.method !== "GET").length;

    await deliver("push", pushOf("c".repeat(40)), "push-3");

    expect(world.emulator.control.requests().filter((request) => request.method !== "GET").length).toBe(writesBefore);
  });
});
