import { createHash, createHmac } from "node:crypto";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { createSqsDispatch } from "../../src/handlers/queue.js";
import { createWebhookHandler } from "../../src/handlers/webhook.js";
import {
  createTestProbot,
  expectBlobs,
  expectNoRepoConfig,
  expectTree,
  genuinePayload,
  githubApi,
  TEST_WEBHOOK_SECRET,
} from "../helpers/github.js";

const lambdaContext = {} as Context;
const payload = genuinePayload<{ repository: { full_name: string }; pull_request: { head: { sha: string } } }>("pull_request", "opened");
const body = JSON.stringify(payload);

function apiGatewayEvent(headers: Record<string, string>, rawBody = body, isBase64Encoded = false): APIGatewayProxyEventV2 {
  return {
    version: "2.0",
    routeKey: "POST /api/github/webhooks",
    rawPath: "/api/github/webhooks",
    rawQueryString: "",
    headers: { "content-type": "application/json", ...headers },
    body: rawBody,
    isBase64Encoded,
    requestContext: {} as APIGatewayProxyEventV2["requestContext"],
  };
}

function signed(rawBody: string, secret = TEST_WEBHOOK_SECRET): string {
  return `sha256=${createHmac("sha256", secret).update(rawBody).digest("hex")}`;
}

describe("the Lambda webhook handler", () => {
  afterEach(() => {
    expect(nock.pendingMocks()).toEqual([]);
    nock.cleanAll();
  });

  it("accepts a correctly signed event and runs the app on it", async () => {
    const repo = payload.repository.full_name;
    const sha = payload.pull_request.head.sha;
    const api = githubApi();
    api.post(`/repos/${repo}/check-runs`).reply(201, { id: 1 });
    api.patch(`/repos/${repo}/check-runs/1`, (update) => update.conclusion === "success").reply(200, {});
    expectNoRepoConfig(api, repo);
    expectTree(api, repo, sha, []);
    expectBlobs(api, repo, []);
    const handler = createWebhookHandler(createTestProbot(() => {}), createApp());

    const response = await handler(
      apiGatewayEvent({
        // API Gateway may pass header names in any case.
        "X-GitHub-Delivery": "d-1",
        "X-GitHub-Event": "pull_request",
        "X-Hub-Signature-256": signed(body),
      }),
      lambdaContext,
    );

    expect(response.statusCode).toBe(200);
  });

  it("accepts a base64-encoded body", async () => {
    const handler = createWebhookHandler(createTestProbot(() => {}), () => {});
    const ping = JSON.stringify(genuinePayload("ping"));
    const response = await handler(
      apiGatewayEvent(
        { "x-github-delivery": "d-2", "x-github-event": "ping", "x-hub-signature-256": signed(ping) },
        Buffer.from(ping).toString("base64"),
        true,
      ),
      lambdaContext,
    );
    expect(response.statusCode).toBe(200);
  });

  it.each([
    ["a forged signature", { "x-hub-signature-256": signed(body, "not-the-secret") }, /Signature does not match/],
    ["no signature", {}, /Missing X-Hub-Signature-256/],
  ])("refuses %s with 401 and never calls GitHub", async (_, signature, message) => {
    nock.disableNetConnect();
    const handler = createWebhookHandler(createTestProbot(() => {}), createApp());
    const response = await handler(
      apiGatewayEvent({ "x-github-delivery": "d-3", "x-github-event": "pull_request", ...signature }),
      lambdaContext,
    );
    expect(response.statusCode).toBe(401);
    expect(response.body).toMatch(message);
  });

  it("queues a verified delivery on the SQS FIFO queue, grouped per repository, and answers 202", async () => {
    const queueUrl = "https://sqs.eu-north-1.amazonaws.com/123456789012/bot-webhooks.fifo";
    let sent: Record<string, string> = {};
    nock.disableNetConnect();
    nock("https://sqs.eu-north-1.amazonaws.com")
      .post("/", (body) => ((sent = body), true))
      .matchHeader("x-amz-target", "AmazonSQS.SendMessage")
      .reply(200, () => ({ MessageId: "m-1", MD5OfMessageBody: createHash("md5").update(sent.MessageBody!).digest("hex") }));
    const sqs = new SQSClient({ region: "eu-north-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    const handler = createWebhookHandler(createTestProbot(() => {}), createApp(), { dispatch: createSqsDispatch(sqs, queueUrl) });

    const response = await handler(
      apiGatewayEvent({ "x-github-delivery": "d-queued", "x-github-event": "pull_request", "x-hub-signature-256": signed(body) }),
      lambdaContext,
    );

    expect(response.statusCode).toBe(202);
    expect(sent).toMatchObject({ QueueUrl: queueUrl, MessageGroupId: "codertocat/hello-world", MessageDeduplicationId: "d-queued" });
    expect(JSON.parse(sent.MessageBody!)).toEqual({ id: "d-queued", name: "pull_request", payload });
  });

  it("never queues a delivery whose signature does not match", async () => {
    nock.disableNetConnect();
    const queued: unknown[] = [];
    const handler = createWebhookHandler(createTestProbot(() => {}), createApp(), { dispatch: async (delivery) => (queued.push(delivery), true) });
    const response = await handler(
      apiGatewayEvent({ "x-github-delivery": "d-4", "x-github-event": "pull_request", "x-hub-signature-256": signed(body, "wrong") }),
      lambdaContext,
    );
    expect(response.statusCode).toBe(401);
    expect(queued).toEqual([]);
  });

  it("refuses a request without GitHub's event headers with 400", async () => {
    const handler = createWebhookHandler(createTestProbot(() => {}), createApp());
    const response = await handler(apiGatewayEvent({ "x-hub-signature-256": signed(body) }), lambdaContext);
    expect(response.statusCode).toBe(400);
  });
});
