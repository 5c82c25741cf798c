/** The deploy slot and terminal bookkeeping on the app/environment head. */
import { releaseSlot, takeSlot, type HeadRef } from '../../domain/head.js';
import type { PinnedImage, Phase } from '../../domain/release.js';
import { advance, type Decision, type Patch } from '../decision.js';
import { addSeconds, waitingSince, type StepContext } from './context.js';

export async function acquireSlot(c: StepContext, reason: string, patch: Patch = {}): Promise<Decision> {
  const head = await c.d.store.head(c.r.app, c.r.environment);
  const slot = takeSlot(head, c.r.id);
  if (slot.ok) return advance('deploying', reason, { ...patch, head: slot.head });
  if (slot.why === 'superseded') return advance('superseded', slot.reason, patch);
  const deadline = addSeconds(waitingSince(c, 'deploy slot'), c.d.settings.slotWaitSeconds);
  if (c.now > deadline) return finish(c, 'blocked', `gave up after ${c.d.settings.slotWaitSeconds} s ${slot.reason}`, {}, patch);
  return { kind: 'wait', for: `deploy slot: ${slot.reason}`, deadline, afterSeconds: c.d.settings.rolloutPollSeconds, ...patch };
}

/** End the release: free the slot (or the pending place), record last-good or quarantine. */
export async function finish(
  c: StepContext,
  to: Extract<Phase, 'succeeded' | 'blocked' | 'rolled_back' | 'failed' | 'superseded' | 'unverified'>,
  reason: string,
  outcome: { verified?: HeadRef & { image?: PinnedImage; manifestCommit?: string }; quarantine?: string },
  patch: Patch = {},
): Promise<Decision> {
  const head = await c.d.store.head(c.r.app, c.r.environment);
  const next = releaseSlot(head, c.r.id, {
    ...(outcome.verified ? { verified: outcome.verified } : {}),
    ...(outcome.quarantine ? { quarantine: { digest: outcome.quarantine, at: c.now.toISOString() } } : {}),
    // Automation does not re-admit a digest the gate just blocked; the next different digest clears this.
    ...(to === 'blocked' && c.r.image ? { blocked: { releaseId: c.r.id, target: c.r.image.digest } } : {}),
  });
  return advance(to, reason, { ...patch, head: next });
}
