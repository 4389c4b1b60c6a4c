import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";

/** A verified webhook delivery, as the worker receives it from the queue. */
export interface QueuedDelivery {
  id: string;
  name: string;
  payload: unknown;
}

/** Hands a verified delivery to the worker; false when it cannot be queued and must be handled inline. */
export type Dispatch = (delivery: QueuedDelivery) => Promise<boolean>;

/** SQS takes messages of at most 1 MiB; GitHub payloads above that are handled inline instead. */
export const MAX_QUEUED_BYTES = 1024 * 1024;

/**
 * Queues a delivery on the SQS FIFO queue: grouped per repository, so events of one repository
 * are handled in order and never at the same time, and deduplicated on GitHub's delivery id.
 */
export function createSqsDispatch(client: SQSClient, queueUrl: string): Dispatch {
  return async (delivery) => {
    const body = JSON.stringify(delivery);
    if (Buffer.byteLength(body) > MAX_QUEUED_BYTES) return false;
    await client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: body,
        MessageGroupId: repositoryOf(delivery.payload) ?? "no-repository",
        MessageDeduplicationId: delivery.id,
      }),
    );
    return true;
  };
}

function repositoryOf(payload: unknown): string | undefined {
  const repository = (payload as { repository?: { full_name?: unknown } } | null)?.repository;
  return typeof repository?.full_name === "string" ? repository.full_name.toLowerCase() : undefined;
}
