/**
 * The admission queue's poison queue, given back. The platform parks a message after 5 failed
 * dequeues (host.json maxDequeueCount); with a 1 s visibility timeout that is well under a minute of
 * storage outage, and an accepted event parked there was answered 202 but would never be admitted.
 * Pipeline messages need no such help (the sweeper re-drives overdue releases from the due index);
 * admissions have no other record to re-drive from without scanning every claim. So messages that
 * have sat in poison for a while go back to the admission queue, each with the time it was first
 * parked: a message that keeps failing is tried again every few minutes for an hour, then left parked
 * (and said so), never dropped. An hour, not a day: admission makes the newest admitted release the
 * pending one, so an event admitted hours late could supersede — or deploy after — newer work; past
 * the hour a person decides.
 */
import type { QueueClient } from '@azure/storage-queue';
import type { PoisonRedrive } from '../../ports.js';

/** How long after it was first parked a message is still given back. */
export const REDRIVE_FOR_MS = 3_600_000;
/** A message rests in poison this long before it goes back (an outage has time to end). */
export const REST_MS = 300_000;
/** How long a parked message stays hidden after a look, so parked ones do not crowd out the rest. */
const HIDE_SECONDS = 600;

const decode = (text: string): Record<string, unknown> | undefined => {
  try {
    const v: unknown = JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

export function createPoisonRedrive(poison: QueueClient, target: QueueClient): PoisonRedrive {
  return {
    async redrive(now) {
      if (!(await poison.exists())) return { moved: 0, parked: [] };
      const got = await poison.receiveMessages({ numberOfMessages: 32, visibilityTimeout: HIDE_SECONDS });
      let moved = 0;
      const parked: string[] = [];
      for (const m of got.receivedMessageItems) {
        // Still resting: visible again at once for the next look.
        if (now.getTime() - m.insertedOn.getTime() < REST_MS) {
          await poison.updateMessage(m.messageId, m.popReceipt, undefined, 0);
          continue;
        }
        const body = decode(m.messageText);
        const firstParked = typeof body?.firstParkedAt === 'string' ? Date.parse(body.firstParkedAt) : m.insertedOn.getTime();
        if (!body || !(now.getTime() - firstParked <= REDRIVE_FOR_MS)) {
          parked.push(m.messageId);
          // Kept for good: the platform parks with the default 7-day lifetime, so it is parked again without one.
          if (m.expiresOn.getTime() < now.getTime() + 365 * 86_400_000) {
            await poison.sendMessage(m.messageText, { messageTimeToLive: -1, visibilityTimeout: HIDE_SECONDS });
            await poison.deleteMessage(m.messageId, m.popReceipt);
          }
          // Otherwise it stays hidden for HIDE_SECONDS (the receive's timeout), so it does not crowd out the rest.
          continue;
        }
        const rounds = typeof body.redriven === 'number' ? body.redriven : 0;
        const again = Buffer.from(
          JSON.stringify({ ...body, redriven: rounds + 1, firstParkedAt: new Date(firstParked).toISOString() }),
          'utf8',
        ).toString('base64');
        // Sent before deleted: a crash in between admits it twice, which admission's claims make harmless.
        await target.sendMessage(again, { messageTimeToLive: -1 });
        await poison.deleteMessage(m.messageId, m.popReceipt);
        moved++;
      }
      return { moved, parked };
    },
  };
}
