import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { createWorkerHandler } from "../../src/handlers/worker.js";
import { createTestProbot, expectNoRepoConfig, expectTree, genuinePayload, githubApi } from "../helpers/github.js";

const pullRequest = genuinePayload<{ repository: { full_name: string }; pull_request: { head: { sha: string } } }>("pull_request", "opened");
const REPO = pullRequest.repository.full_name;

function record(messageId: string, group: string, delivery: unknown): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body: JSON.stringify(delivery),
    attributes: { MessageGroupId: group, ApproximateReceiveCount: "1", SentTimestamp: "0", SenderId: "x", ApproximateFirstReceiveTimestamp: "0" },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:eu-north-1:123456789012:bot-webhooks.fifo",
    awsRegion: "eu-north-1",
  } as SQSRecord;
}

afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

describe("the queue worker", () => {
  it("runs the app on a queued delivery", async () => {
    const api = githubApi();
    api.post(`/repos/${REPO}/check-runs`).reply(201, { id: 1 });
    api.patch(`/repos/${REPO}/check-runs/1`, (update) => update.conclusion === "success").reply(200, {});
    expectNoRepoConfig(api, REPO);
    expectTree(api, REPO, pullRequest.pull_request.head.sha, []);
    const worker = createWorkerHandler(createTestProbot(() => {}), createApp());

    const event: SQSEvent = { Records: [record("m-1", "codertocat/hello-world", { id: "d-1", name: "pull_request", payload: pullRequest })] };
    expect(await worker(event, {} as Context)).toEqual({ batchItemFailures: [] });
  });

  it("reports a failed message for retry and holds back the rest of its repository, not other repositories", async () => {
    const handled: string[] = [];
    const worker = createWorkerHandler(createTestProbot(() => {}), (app) => {
      app.on("ping", async (context) => {
        handled.push(context.id);
        if (context.id === "fails") throw new Error("the Portal is down");
      });
    });
    const ping = genuinePayload("ping");
    const event: SQSEvent = {
      Records: [
        record("m-1", "acme/a", { id: "fails", name: "ping", payload: ping }),
        record("m-2", "acme/a", { id: "after-failure", name: "ping", payload: ping }),
        record("m-3", "acme/b", { id: "other-repository", name: "ping", payload: ping }),
      ],
    };

    const response = await worker(event, {} as Context);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "m-1" }, { itemIdentifier: "m-2" }]);
    expect(handled).toEqual(["fails", "other-repository"]);
  });
});
