/**
 * The admission queue: events the GitHub and ACR doors accepted (`{accepted}`: ids reserved,
 * admission behind the queue) and the tail of ACR batches too large to claim inside Event Grid's
 * 30 s (`{images}`). Base64 JSON like the work queue; items are packed into messages under the
 * Storage Queue limit of 64 KiB.
 */
import type { QueueClient } from '@azure/storage-queue';
import type { AcceptedQueue, AdmissionQueue, DeferredImage } from '../../ports.js';
import { createdOnce } from './entities.js';
import { withDeadline } from './deadline.js';

/** JSON characters per message: base64 grows it by 4/3, and the limit is 64 KiB. */
const MAX_JSON_CHARS = 45_000;

export function createAdmissionQueue(queue: QueueClient, limits: { deadlineMs?: number } = {}): AdmissionQueue & AcceptedQueue {
  const ensure = createdOnce(() => withDeadline(limits.deadlineMs, (signal) => queue.createIfNotExists(signal)));
  const put = async <T>(field: string, items: T[]) => {
    if (items.length === 0) return;
    await ensure();
    await Promise.all(
      packed(items).map((chunk) =>
        withDeadline(limits.deadlineMs, (signal) =>
          queue.sendMessage(Buffer.from(JSON.stringify({ [field]: chunk }), 'utf8').toString('base64'), {
            messageTimeToLive: -1,
            ...signal,
          }),
        ),
      ),
    );
  };
  return {
    defer: (items: DeferredImage[]) => put('images', items),
    send: (events) => put('accepted', events),
  };
}

export function packed<T>(items: T[]): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let size = 0;
  for (const item of items) {
    const n = JSON.stringify(item).length + 1;
    if (cur.length > 0 && size + n > MAX_JSON_CHARS) {
      out.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(item);
    size += n;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}
