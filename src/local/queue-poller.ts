/**
 * Feeds a queue trigger from the azurite queue the way the Functions host does: base64 JSON
 * messages, fetched `batchSize` at a time and a new batch as soon as no more than
 * `newBatchThreshold` are still running (host.json's extensions.queues; up to the sum in flight),
 * the message hidden while its invocation runs, retried when it throws, and moved to
 * "<queue>-poison" after 5 dequeues.
 */
import { randomUUID } from 'node:crypto';
import { InvocationContext } from '../functions/azure-functions.js';
import type { QueueClient } from '@azure/storage-queue';
import type { QueueRegistration } from '../functions/registrar.js';
import type { Logger } from '../services/ports.js';

const MAX_DEQUEUE = 5;
/** host.json's defaults here (and the Functions host's for batchSize; its newBatchThreshold default is batchSize / 2). */
export const QUEUE_BATCH = { batchSize: 16, newBatchThreshold: 8 };
const VISIBILITY_SECONDS = 300;

export interface Poller {
  stop(): Promise<void>;
}

export function startQueuePoller(
  name: string,
  reg: QueueRegistration,
  queue: QueueClient,
  poison: QueueClient,
  logger: Logger,
  opts: { idleMs?: number; retryDelaySeconds?: number; batchSize?: number; newBatchThreshold?: number } = {},
): Poller {
  let stopped = false;
  let wake: (() => void) | undefined;
  const idleMs = opts.idleMs ?? 200;
  const batchSize = opts.batchSize ?? QUEUE_BATCH.batchSize;
  const threshold = opts.newBatchThreshold ?? QUEUE_BATCH.newBatchThreshold;
  const running = new Set<Promise<void>>();

  let created = false;
  const loop = (async () => {
    while (!stopped) {
      let count = 0;
      try {
        // Inside the loop: a storage that is down at start (or restarted empty) is waited for, not fatal.
        if (!created) {
          await queue.createIfNotExists();
          await poison.createIfNotExists();
          created = true;
        }
        // A new batch once no more than `threshold` invocations are still running.
        while (running.size > threshold && !stopped) await Promise.race(running);
        if (stopped) break;
        const { receivedMessageItems } = await queue.receiveMessages({
          numberOfMessages: batchSize,
          visibilityTimeout: VISIBILITY_SECONDS,
        });
        count = receivedMessageItems.length;
        for (const m of receivedMessageItems) {
          const run: Promise<void> = one(m)
            .catch((e: unknown) => logger.warn('queue message not settled', { queue: reg.queueName, messageId: m.messageId, error: e }))
            .finally(() => running.delete(run));
          running.add(run);
        }
      } catch (e) {
        if (!stopped) logger.warn('queue poll failed', { queue: reg.queueName, error: e });
      }
      if (count === 0 && !stopped) {
        await new Promise<void>((r) => {
          const timer = setTimeout(r, idleMs);
          // stop() wakes the loop at once and the pending timer must not keep the process alive.
          wake = () => {
            clearTimeout(timer);
            r();
          };
        });
      }
    }
  })();

  async function one(m: {
    messageId: string;
    popReceipt: string;
    messageText: string;
    dequeueCount: number;
    insertedOn: Date;
  }): Promise<void> {
    const payload = decode(m.messageText);
    const context = new InvocationContext({
      invocationId: randomUUID(),
      functionName: name,
      logHandler: () => undefined,
      triggerMetadata: { id: m.messageId, dequeueCount: m.dequeueCount, insertionTime: m.insertedOn.toISOString() },
    });
    try {
      await reg.handler(payload, context);
      await queue.deleteMessage(m.messageId, m.popReceipt);
    } catch (e) {
      if (m.dequeueCount >= MAX_DEQUEUE) {
        logger.error('queue message moved to poison queue', { queue: reg.queueName, messageId: m.messageId, error: e });
        await poison.sendMessage(m.messageText);
        await queue.deleteMessage(m.messageId, m.popReceipt);
      } else {
        logger.warn('queue invocation failed; will retry', {
          queue: reg.queueName,
          messageId: m.messageId,
          dequeueCount: m.dequeueCount,
          error: e,
        });
        await queue.updateMessage(m.messageId, m.popReceipt, undefined, opts.retryDelaySeconds ?? 1).catch(() => undefined);
      }
    }
  }

  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
      await Promise.all(running);
    },
  };
}

/** The host hands JSON messages to the handler as objects, anything else as a string. */
function decode(text: string): unknown {
  const raw = Buffer.from(text, 'base64').toString('utf8');
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}
