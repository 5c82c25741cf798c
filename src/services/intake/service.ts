/**
 * The three doors in, one intake: each door validates and plans its own input; the GitHub and ACR
 * doors accept (./accept.ts) and admission follows from the queue, the manual door admits at once
 * (./admission.ts).
 */
import type { Logger } from '../ports.js';
import { AcceptedEvents, DeferredImages } from './deferred-schema.js';
import { admitAccepted } from './accept.js';
import type { IntakeDeps } from './admission.js';
import { githubDoor, type GithubOutcome } from './door-github.js';
import { acrDoor, admitDeferred, type EventResult } from './door-acr.js';
import { manualDoor, type ManualOutcome } from './door-manual.js';

export function createIntake(d: IntakeDeps) {
  return {
    github: (deliveryId: string, event: string, payload: unknown, log: Logger): Promise<GithubOutcome> =>
      githubDoor(d, deliveryId, event, payload, log),
    acrEvents: (events: unknown[], log: Logger): Promise<EventResult[]> => acrDoor(d, events, log),
    /**
     * A message of the admission queue: accepted events, or the unclaimed tail of a large ACR
     * batch. One that does not parse is logged and dropped (it never will).
     */
    admitQueued: async (message: unknown, log: Logger): Promise<{ admitted: number; releases: number }> => {
      const accepted = AcceptedEvents.safeParse(message);
      if (accepted.success) {
        const out = await admitAccepted(d, accepted.data.accepted, log);
        return { admitted: out.length, releases: out.filter((a) => a.outcome === 'release').length };
      }
      const parsed = DeferredImages.safeParse(message);
      if (parsed.success) {
        const out: EventResult[] = await admitDeferred(d, parsed.data.images, log);
        return { admitted: out.length, releases: out.filter((r) => r.outcome === 'release').length };
      }
      log.error('unreadable admission message dropped', { problem: parsed.error.issues[0]?.message });
      return { admitted: 0, releases: 0 };
    },
    manual: (body: unknown, idempotencyKey: string | undefined, actor: string | undefined, log: Logger): Promise<ManualOutcome> =>
      manualDoor(d, body, idempotencyKey, actor, log),
  };
}

export type Intake = ReturnType<typeof createIntake>;
