/** What one reconcile step decided. The loop persists it, then acts on it (enqueue, notify). */
import { WAIT_LABELS, type Phase, type PinnedImage, type ReleaseOutcome, type ReleaseProgress, type WaitOn } from '../domain/release.js';
import type { StoredHead } from '../ports.js';
import type { AdapterError } from '../domain/result.js';

export interface Patch {
  progress?: ReleaseProgress;
  outcome?: ReleaseOutcome;
  image?: PinnedImage;
}

export type Decision =
  /** Change phase; the timeline records why. */
  | ({ kind: 'advance'; to: Phase; reason: string; head?: StoredHead; afterSeconds?: number } & Patch)
  /** Stay in phase, persist progress, look again later; every wait names what it waits on and until when. */
  | ({ kind: 'wait'; on: WaitOn; for: string; deadline: Date; afterSeconds: number } & Patch)
  /** Persist progress and take the next step right away (state saved before the next side effect). */
  | ({ kind: 'continue'; afterSeconds?: number } & Patch);

export const advance = (
  to: Phase,
  reason: string,
  extra: Omit<Extract<Decision, { kind: 'advance' }>, 'kind' | 'to' | 'reason'> = {},
): Decision => ({ kind: 'advance', to, reason, ...extra });

/** Wait on `on`, described by `detail`, looking again after `afterSeconds`, until `deadline`. */
export const wait = (on: WaitOn, detail: string, deadline: Date, afterSeconds: number, patch: Patch = {}): Decision => ({
  kind: 'wait',
  on,
  for: `${WAIT_LABELS[on]}: ${detail}`,
  deadline,
  afterSeconds,
  ...patch,
});

/** Where a retryable adapter error puts the step: try again after Retry-After or a short pause. */
export function retryAfterSeconds(e: AdapterError, fallback = 5): number {
  return e.retryAfterMs ? Math.ceil(e.retryAfterMs / 1000) : fallback;
}

export const retryable = (e: AdapterError): boolean => e.kind === 'transient' || e.kind === 'rate-limited';
