import middy from "@middy/core";
import type { Context as LambdaContext, SQSBatchResponse, SQSEvent } from "aws-lambda";
import type { ApplicationFunction, Probot } from "probot";
import { appFromEnv } from "./from-env.js";
import type { QueuedDelivery } from "./queue.js";

/**
 * The Lambda that works the webhook queue: each message is a delivery the webhook handler has
 * already verified. A failed message is reported back so SQS retries it (and, after the
 * configured attempts, moves it to the dead-letter queue); later messages of the same repository
 * are held back with it, because a FIFO group must stay in order.
 */
export function createWorkerHandler(probot: Probot, app: ApplicationFunction) {
  const loaded = probot.load(app);

  return middy<SQSEvent, SQSBatchResponse>().handler(async (event) => {
    await loaded;
    const failures: SQSBatchResponse["batchItemFailures"] = [];
    const failedGroups = new Set<string>();
    for (const record of event.Records) {
      const group = record.attributes.MessageGroupId ?? record.messageId;
      if (failedGroups.has(group)) {
        failures.push({ itemIdentifier: record.messageId });
        continue;
      }
      try {
        const delivery = JSON.parse(record.body) as QueuedDelivery;
        await probot.receive({ id: delivery.id, name: delivery.name, payload: delivery.payload } as Parameters<Probot["receive"]>[0]);
      } catch (error) {
        probot.log.error({ err: error, messageId: record.messageId }, "queued webhook failed; SQS will retry it");
        failedGroups.add(group);
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures: failures };
  });
}

let cached: Promise<ReturnType<typeof createWorkerHandler>> | undefined;

export const handler = async (event: SQSEvent, context: LambdaContext) => {
  cached ??= appFromEnv().then(({ probot, app }) => createWorkerHandler(probot, app));
  return (await cached)(event, context);
};
