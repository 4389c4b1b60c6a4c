import middy from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context as LambdaContext } from "aws-lambda";
import type { ApplicationFunction, Probot } from "probot";
import { SQSClient } from "@aws-sdk/client-sqs";
import { appFromEnv } from "./from-env.js";
import { createSqsDispatch, type Dispatch } from "./queue.js";

type WebhookResponse = APIGatewayProxyStructuredResultV2 & { statusCode: number };

/**
 * The Lambda entry point for GitHub webhooks (API Gateway HTTP API, payload v2).
 * It verifies the signature before anything else, then hands the event to the same Probot app
 * that `npm start` runs. Probot 14's `load()` is async, so the handler awaits it once per cold start.
 */
export function createWebhookHandler(probot: Probot, app: ApplicationFunction, options: { dispatch?: Dispatch } = {}) {
  const loaded = probot.load(app);

  return middy<APIGatewayProxyEventV2, WebhookResponse>().handler(async (event) => {
    await loaded;
    const headers = lowerCaseKeys(event.headers ?? {});
    const id = headers["x-github-delivery"];
    const name = headers["x-github-event"];
    const signature = headers["x-hub-signature-256"];
    if (!id || !name) return reply(400, "Missing X-GitHub-Delivery or X-GitHub-Event header.");
    if (!signature) return reply(401, "Missing X-Hub-Signature-256 header: webhooks must be signed with the app's webhook secret.");

    const body = event.isBase64Encoded ? Buffer.from(event.body ?? "", "base64").toString("utf8") : (event.body ?? "");
    if (!(await probot.webhooks.verify(body, signature))) {
      probot.log.warn({ id, name }, "rejected a webhook with a signature that does not match");
      return reply(401, "Signature does not match: check that WEBHOOK_SECRET matches the GitHub App's webhook secret.");
    }

    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch {
      return reply(400, "The webhook body is not JSON.");
    }
    // GitHub waits 10 seconds for an answer: with a queue, the worker does the work.
    if (options.dispatch && (await options.dispatch({ id, name, payload }))) return reply(202, "queued");
    try {
      // The event name and payload are GitHub's; Probot dispatches on the name.
      await probot.receive({ id, name, payload } as Parameters<Probot["receive"]>[0]);
    } catch (error) {
      probot.log.error({ err: error, id, name }, "webhook handling failed");
      return reply(500, "The app failed while handling this event; see its logs.");
    }
    return reply(200, "ok");
  });
}

function lowerCaseKeys(headers: Record<string, string | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(headers).map(([key, value]) => [key.toLowerCase(), value]));
}

function reply(statusCode: number, message: string): WebhookResponse {
  return { statusCode, headers: { "content-type": "text/plain; charset=utf-8" }, body: `${message}\n` };
}

let cached: Promise<ReturnType<typeof createWebhookHandler>> | undefined;

/** Production wiring from the environment: the queue from QUEUE_URL, otherwise handled inline. */
async function handlerFromEnv() {
  const { probot, app } = await appFromEnv();
  const queueUrl = process.env.QUEUE_URL?.trim();
  return createWebhookHandler(probot, app, queueUrl ? { dispatch: createSqsDispatch(new SQSClient({}), queueUrl) } : {});
}

/** Built on first use, so importing this module in tests reads no environment. */
export const handler = async (event: APIGatewayProxyEventV2, context: LambdaContext) => {
  cached ??= handlerFromEnv();
  return (await cached)(event, context);
};
