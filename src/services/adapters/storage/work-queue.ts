import type { QueueClient } from '@azure/storage-queue';
import type { WorkItem, WorkQueue } from '../../ports.js';
import { createdOnce } from './entities.js';
import { withDeadline } from './deadline.js';

/** Storage Queues cap visibility delays at 7 days; our waits are minutes. */
const MAX_DELAY_SECONDS = 7 * 24 * 3600 - 1;

/**
 * Messages are base64-encoded JSON because the Functions queue trigger decodes base64 by default
 * (host.json extensions.queues.messageEncoding); the local host decodes the same way.
 */
export function createWorkQueue(queue: QueueClient, limits: { deadlineMs?: number } = {}): WorkQueue & { ensure(): Promise<void> } {
  // The queue SDK's tryTimeoutInMs only asks the server to give up; a storage that never answers
  // needs the client to stop waiting too.
  const ensure = createdOnce(() => withDeadline(limits.deadlineMs, (signal) => queue.createIfNotExists(signal)));
  return {
    ensure,
    async enqueue(item: WorkItem, opts = {}) {
      await ensure();
      const delay = Math.min(Math.max(0, Math.ceil(opts.delaySeconds ?? 0)), MAX_DELAY_SECONDS);
      await withDeadline(limits.deadlineMs, (signal) =>
        queue.sendMessage(encodeMessage(item), { visibilityTimeout: delay, messageTimeToLive: -1, ...signal }),
      );
    },
  };
}

export const encodeMessage = (item: WorkItem): string => Buffer.from(JSON.stringify(item), 'utf8').toString('base64');
