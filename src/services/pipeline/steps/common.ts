/**
 * What every step shares: its context, the deploy slot and terminal bookkeeping, the one way to
 * retry a failed call, the way into rolling_back, and starting a scan. Steps import this module,
 * never each other.
 */
import { isTerminal, type Release } from '../../domain/release.js';
import type { AppSpec } from '../../domain/catalog.js';
import type { AdapterError } from '../../domain/result.js';
import { clearEndedHolder, releaseSlot, takeSlot, type HeadRef } from '../../domain/head.js';
import type { FailureRecord, PinnedImage, ReleaseOutcome, TerminalPhase, WaitOn } from '../../domain/release.js';
import type { DeployAnnotations, Logger, Workload } from '../../ports.js';
import { writerToken, type WriteFence, type WriteStep } from '../../domain/writer.js';
import type { PipelineDeps } from '../deps.js';
import { advance, retryAfterSeconds, wait, type Decision, type Patch } from '../decision.js';

export interface StepContext {
  r: Release;
  d: PipelineDeps;
  now: Date;
  log: Logger;
  /** The catalog entry; undefined for manifest releases. */
  app: AppSpec | undefined;
}

export type Step = (c: StepContext) => Promise<Decision>;

export const workloadOf = (app: AppSpec): Workload => ({ namespace: app.namespace, deployment: app.deployment, container: app.container });

export const addSeconds = (d: Date | string, s: number): Date => new Date(new Date(d).getTime() + s * 1000);

/** When the current wait on `on` began (a new kind of wait starts its clock now). */
export const waitingSince = (c: StepContext, on: WaitOn): Date => (c.r.wait?.on === on ? new Date(c.r.wait.since) : c.now);

/** The only errors that are final; anything else (transient, rate-limited, conflict) is tried again until the deadline. */
export const isFinal = (e: Pick<AdapterError, 'kind'>): boolean => e.kind === 'invalid' || e.kind === 'not-found' || e.kind === 'auth';

/** Longest pause between two tries of a failing call. */
const MAX_BACKOFF_SECONDS = 60;

/**
 * The one answer to a failed call: an error that is not final, before the deadline, waits on `on` and
 * tries again — after `pollSeconds` at first, then backing off (half the time the wait has lasted, up to
 * a minute), or after Retry-After when that is longer. A final error, or any error at the deadline, is
 * `otherwise`.
 */
export async function retryUntil(
  c: StepContext,
  e: AdapterError,
  w: { on: WaitOn; for: string; deadline: Date; pollSeconds?: number },
  otherwise: (e: AdapterError) => Decision | Promise<Decision>,
): Promise<Decision> {
  if (isFinal(e) || c.now >= w.deadline) return otherwise(e);
  const poll = w.pollSeconds ?? 5;
  const waited = (c.now.getTime() - waitingSince(c, w.on).getTime()) / 1000;
  const backoff = Math.min(MAX_BACKOFF_SECONDS, Math.max(poll, Math.round(waited / 2)));
  return wait(w.on, w.for, w.deadline, Math.max(backoff, retryAfterSeconds(e, poll)));
}

/** How a failure reads in the timeline: final ones say so, others say how long they were tried. */
export const describeFailure = (e: AdapterError, triedSeconds?: number): string =>
  isFinal(e)
    ? `${e.message} (${e.kind}: final, not retried)`
    : `${e.message} (${e.kind}${triedSeconds !== undefined ? `: still failing after ${Math.round(triedSeconds)} s` : ''})`;

/**
 * A slot's holder that has ended (or vanished) without freeing it: a crash between its terminal save
 * and the free (domain/lease.ts rule 5). The next release that wants the slot clears it.
 */
export async function holderEnded(c: StepContext, holderId: string): Promise<boolean> {
  const holder = await c.d.store.get(holderId);
  const ended = !holder || isTerminal(holder.phase);
  if (ended) c.log.warn('slot held by a release that has ended; clearing it', { holder: holderId, holder_phase: holder?.phase });
  return ended;
}

export async function acquireSlot(c: StepContext, reason: string, patch: Patch = {}): Promise<Decision> {
  let head = await c.d.store.head(c.r.app, c.r.environment);
  let slot = takeSlot(head, c.r.id);
  if (!slot.ok && slot.why === 'busy' && (await holderEnded(c, slot.holder.releaseId))) {
    head = clearEndedHolder(head, slot.holder.releaseId);
    slot = takeSlot(head, c.r.id);
  }
  if (slot.ok) return advance('deploying', reason, { ...patch, head: slot.head });
  if (slot.why === 'superseded') return advance('superseded', slot.reason, patch);
  const deadline = addSeconds(waitingSince(c, 'slot'), c.d.settings.slotWaitSeconds);
  if (c.now > deadline) return finish(c, 'blocked', `gave up after ${c.d.settings.slotWaitSeconds} s ${slot.reason}`, {}, patch);
  return wait('slot', slot.reason, deadline, c.d.settings.rolloutPollSeconds, patch);
}

/** End the release: free the slot (or the pending place), record last-good or quarantine. */
export async function finish(
  c: StepContext,
  to: TerminalPhase,
  reason: string,
  outcome: { verified?: HeadRef & { image?: PinnedImage; manifestCommit?: string }; quarantine?: string | undefined },
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

/**
 * The fence of a release's change to its Deployment (domain/writer.ts): a deploy may follow only the
 * writer it saw when it recorded its intent; a rollback only its own deploy (or that same writer, when
 * its deploy never reached the cluster). Intents recorded before writers were tracked go unfenced.
 */
export function fenceFor(c: StepContext, step: WriteStep): WriteFence | undefined {
  const before = c.r.progress.deployIntent?.previousWriter;
  if (before === undefined) return undefined;
  const self = writerToken(c.r.id, step);
  return { self, after: step === 'deploy' ? [before] : [writerToken(c.r.id, 'deploy'), before] };
}

/** The annotations every change to a Deployment carries: the cluster itself tells who deployed what. */
export function annotationsFor(c: StepContext, cause: string, step: WriteStep): DeployAnnotations {
  return {
    releaseId: c.r.id,
    step,
    ...(c.r.commit ? { commit: c.r.commit } : {}),
    sourceEvent: `${c.r.source.door}:${c.r.source.eventId}`.slice(0, 250),
    changeCause: `tailspin-deployer ${c.r.id}: ${cause}`.slice(0, 250),
  };
}

/** Into rolling_back, keeping the cluster's own account of what went wrong as evidence. */
export async function toRollback(
  c: StepContext,
  reason: string,
  evidence: Omit<FailureRecord, 'reason' | 'at' | 'events' | 'eventsError'>,
  outcome: ReleaseOutcome = {},
): Promise<Decision> {
  const events = c.app ? await c.d.cluster.events(workloadOf(c.app), 20) : undefined;
  // Evidence never holds up a rollback: events that could not be read are asked for again while it runs.
  const read = events?.ok
    ? { events: events.value }
    : events
      ? { eventsError: { kind: events.error.kind, message: events.error.message } }
      : {};
  return advance('rolling_back', reason, {
    outcome: { ...outcome, failure: { reason, at: c.now.toISOString(), ...evidence, ...read } },
  });
}

/** Start (or restart) the scan of the release's digest; queued and scanning both begin here. */
export async function startScan(c: StepContext, attempt: number): Promise<Decision> {
  const { r, d } = c;
  const image = r.image;
  if (!image) return finish(c, 'blocked', 'nothing to scan: the release has no digest', {});
  const res = await d.scanner.start({ registry: image.registry, repository: image.repository, digest: image.digest });
  if (res.ok)
    return advance('scanning', `Trivy scan ${res.value.runId} started for ${image.digest} (attempt ${attempt})`, {
      progress: { scanRunId: res.value.runId, scanStartedAt: c.now.toISOString(), scanAttempt: attempt },
      afterSeconds: d.settings.scanPollSeconds,
    });
  return retryUntil(
    c,
    res.error,
    { on: 'scan', for: 'scheduling the scan', deadline: addSeconds(r.createdAt, d.settings.scanDeadlineSeconds) },
    (e) => finish(c, 'blocked', `scan could not be started (fail closed): ${e.message}`, {}),
  );
}
