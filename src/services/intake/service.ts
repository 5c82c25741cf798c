/**
 * The three doors in, one intake: each door validates and plans its own input, then they share
 * the idempotency claim and admission (./admission.ts).
 */
import type { Logger } from '../ports.js';
import { DeferredImages } from './deferred-schema.js';
import type { IntakeDeps } from './admission.js';
import { githubDoor, type GithubOutcome } from './door-github.js';
import { acrDoor, admitDeferred, type EventResult } from './door-acr.js';
import { manualDoor, type ManualOutcome } from './door-manual.js';

export function createIntake(d: IntakeDeps) {
  return {
    github: (deliveryId: string, event: string, payload: unknown, log: Logger): Promise<GithubOutcome> =>
      githubDoor(d, deliveryId, event, payload, log),
    acrEvents: (events: unknown[], log: Logger): Promise<EventResult[]> => acrDoor(d, events, log),
    /** A message of the admission queue; one that does not parse is logged and dropped (it never will). */
    acrDeferred: async (message: unknown, log: Logger): Promise<EventResult[]> => {
      const parsed = DeferredImages.safeParse(message);
      if (parsed.success) return admitDeferred(d, parsed.data.images, log);
      log.error('unreadable admission message dropped', { problem: parsed.error.issues[0]?.message });
      return [];
    },
    manual: (body: unknown, idempotencyKey: string | undefined, actor: string | undefined, log: Logger): Promise<ManualOutcome> =>
      manualDoor(d, body, idempotencyKey, actor, log),
  };
}

export type Intake = ReturnType<typeof createIntake>;
