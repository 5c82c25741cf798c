/**
 * reconcile(release): look at one release, take one step, persist it, tell people, schedule the
 * next look. Driven by queue messages; a sweeper re-drives releases whose next look is overdue.
 * Safe to run twice for the same release: every save is compare-and-swap, every side effect idempotent.
 */
import { isTerminal, NOTICES, type ActivePhase, type Release, type ReleaseKind } from '../domain/release.js';
import { findApp } from '../domain/catalog.js';
import type { Logger, OutboxEntry } from '../ports.js';
import type { PipelineDeps } from './deps.js';
import type { Decision } from './decision.js';
import { finish, type Step, type StepContext } from './steps/common.js';
import { freeSlots } from './steps/manifest-slots.js';
import { queued } from './steps/queued.js';
import { building } from './steps/building.js';
import { scanning } from './steps/scanning.js';
import { deploying } from './steps/deploying.js';
import { verifying } from './steps/verifying.js';
import { rollingBack } from './steps/rolling-back.js';
import { manifestDeploy } from './steps/manifest.js';
import { manifestRollback } from './steps/manifest-rollback.js';
import { manifestPlan } from './steps/manifest-plan.js';
import { manifestScanning } from './steps/manifest-scan.js';
import { versionBuilding, versionGate, versionOnBranch } from './steps/version.js';
import { notifyTransition, retryNotifications, type NoticeReport } from './notify.js';
import { withSarif } from './code-scanning.js';

/**
 * Exhaustive: adding a phase without a step is a type error. Manifest releases plan, scan, deploy and roll back their own
 * way; version releases (a git tag) find or build the commit's image and tag it once the gate passed it.
 */
const STEPS: Record<ActivePhase, { step: Step; manifest?: Step; version?: Step }> = {
  queued: { step: queued, manifest: manifestPlan, version: versionOnBranch },
  building: { step: building, version: versionBuilding },
  scanning: { step: scanning, manifest: manifestScanning, version: versionGate },
  deploying: { step: deploying, manifest: manifestDeploy },
  verifying: { step: verifying },
  rolling_back: { step: rollingBack, manifest: manifestRollback },
};

const stepFor = (kind: ReleaseKind, phase: ActivePhase): Step =>
  (kind === 'manifest' ? STEPS[phase].manifest : kind === 'version' ? STEPS[phase].version : undefined) ?? STEPS[phase].step;

const MAX_CONFLICTS = 5;
/** A tick that arrives this much before the release is due is a duplicate message; skip it. */
const EARLY_TOLERANCE_MS = 500;
/**
 * A step that throws this many ticks in a row ends the release `failed` with the error: nothing an
 * input contains may make a step throw forever (and hold a slot while it does).
 */
export const MAX_STEP_THROWS = 5;
/** Pause after a throw: 5 s, doubling, up to 5 minutes. */
const throwBackoffSeconds = (throws: number): number => Math.min(300, 5 * 2 ** (throws - 1));

export type TickResult =
  | { kind: 'missing' }
  | { kind: 'terminal' }
  | { kind: 'early' }
  | { kind: 'stepped'; phase: string; nextInSeconds?: number }
  | { kind: 'threw'; phase: string; throws: number; nextInSeconds: number }
  | { kind: 'contended' };

export async function reconcile(d: PipelineDeps, releaseId: string, opts: { force?: boolean } = {}): Promise<TickResult> {
  for (let attempt = 0; attempt < MAX_CONFLICTS; attempt++) {
    const r = await d.store.get(releaseId);
    if (!r) {
      // A release that is gone has nothing left to tell anyone: no outbox entry may keep pointing at it.
      await d.outbox.remove(releaseId);
      return { kind: 'missing' };
    }
    const log = d.logger.child({ correlation_id: r.correlationId, release_id: r.id, app: r.app, environment: r.environment });
    const now = d.clock.now();
    const phase = r.phase;
    if (isTerminal(phase)) {
      const due = r.progress.notifyPending?.length && r.progress.notifyDueAt ? new Date(r.progress.notifyDueAt).getTime() : 0;
      if (!opts.force && due - now.getTime() > EARLY_TOLERANCE_MS) return { kind: 'terminal' };
      await record(d, r, await retryNotifications(d, r, log), log);
      // A crash between the terminal save and the free left slots held: free them now (idempotent).
      await freeSlots(d, r, log);
      return { kind: 'terminal' };
    }
    if (!opts.force && r.nextCheckAt && new Date(r.nextCheckAt).getTime() - now.getTime() > EARLY_TOLERANCE_MS) return { kind: 'early' };

    const de = d.environments?.[r.environment] ?? d;
    const c: StepContext = { r, d: de, now, log, app: findApp(de.catalog, r.app) };
    let decision: Decision;
    try {
      decision = await stepFor(r.kind, phase)(c);
    } catch (e) {
      const throws = (r.progress.stepThrows ?? 0) + 1;
      log.error('pipeline step threw', { phase, error: e, throws, of: MAX_STEP_THROWS });
      if (throws < MAX_STEP_THROWS) {
        const threw = await countThrow(d, r, throws, now);
        if (!threw) continue;
        return { kind: 'threw', phase, throws, nextInSeconds: throwBackoffSeconds(throws) };
      }
      decision = await finish(
        c,
        'failed',
        `the ${phase} step failed ${throws} times in a row with an unexpected error, so the release was stopped: ${messageOf(e)}`,
        {},
      );
    }
    const next = apply(r, decision, now);
    const ending = decision.kind === 'advance' && isTerminal(decision.to);
    // Saved with the ending itself: if this worker dies before GitHub is told, the next tick still knows what to send.
    if (ending) next.progress = { ...next.progress, ...owedNotices(now, next) };
    const saved = await d.store.save(
      next,
      decision.kind === 'advance' ? { to: decision.to, reason: decision.reason, ...(decision.head ? { head: decision.head } : {}) } : {},
      now,
    );
    if (!saved.ok) {
      log.info('release changed under us; looking again', { attempt });
      continue;
    }
    const after = delayOf(decision);
    if (decision.kind === 'advance') {
      log.info('release transition', { from: phase, to: decision.to, reason: decision.reason });
      if (ending) await d.outbox.put(outboxEntry(saved.value));
      await record(d, saved.value, await notifyTransition(d, saved.value, phase, log), log);
    }
    if (!isTerminal(saved.value.phase)) await d.queue.enqueue({ releaseId, correlationId: r.correlationId }, { delaySeconds: after });
    // Slots in other partitions are freed only once the end is saved (domain/lease.ts rule 5).
    else await freeSlots(d, saved.value, log);
    return { kind: 'stepped', phase: saved.value.phase, ...(isTerminal(saved.value.phase) ? {} : { nextInSeconds: after }) };
  }
  // Someone else keeps winning; their tick will schedule the next one.
  return { kind: 'contended' };
}

/** Record a throw and look again after a pause; false when the release changed under us. */
async function countThrow(d: PipelineDeps, r: Release, throws: number, now: Date): Promise<boolean> {
  const after = throwBackoffSeconds(throws);
  const next: Release = {
    ...r,
    progress: { ...r.progress, stepThrows: throws },
    nextCheckAt: new Date(now.getTime() + after * 1000).toISOString(),
  };
  const saved = await d.store.save(next, {}, now);
  if (!saved.ok) return false;
  await d.queue.enqueue({ releaseId: r.id, correlationId: r.correlationId }, { delaySeconds: after });
  return true;
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e)).slice(0, 500);

function delayOf(d: Decision): number {
  if (d.kind === 'wait') return d.afterSeconds;
  return d.afterSeconds ?? 0;
}

/** The release as the decision leaves it (phase changes are applied by the store with the timeline). */
function apply(r: Release, d: Decision, now: Date): Release {
  const next: Release = {
    ...r,
    progress: { ...r.progress, ...d.progress },
    outcome: { ...r.outcome, ...d.outcome },
    ...(d.image ? { image: d.image } : {}),
    nextCheckAt: new Date(now.getTime() + delayOf(d) * 1000).toISOString(),
  };
  // The step did not throw: the count of throws in a row starts again.
  delete next.progress.stepThrows;
  if (d.kind === 'wait') {
    const since = r.wait?.on === d.on ? r.wait.since : now.toISOString();
    next.wait = { on: d.on, for: d.for, since, deadline: d.deadline.toISOString() };
  } else {
    delete next.wait;
  }
  return next;
}

/** A release that ends owes every notice until notify says which were delivered (the normal path takes well under this). */
const OWED_GRACE_SECONDS = 60;
const owedNotices = (now: Date, r: Release) => ({
  notifyPending: withSarif(NOTICES, r),
  notifyAttempts: 0,
  notifySince: now.toISOString(),
  notifyDueAt: new Date(now.getTime() + OWED_GRACE_SECONDS * 1000).toISOString(),
});

const outboxEntry = (r: Release): OutboxEntry => ({
  releaseId: r.id,
  correlationId: r.correlationId,
  since: r.progress.notifySince ?? r.updatedAt,
  dueAt: r.progress.notifyDueAt ?? r.updatedAt,
});

/**
 * Persist what notifications produced (deployment id, issue link, what is still to send), keep
 * the outbox in step with it (an entry while anything is pending), then schedule the resend.
 */
async function record(d: PipelineDeps, r: Release, report: NoticeReport | undefined, log: Logger): Promise<void> {
  if (!report) {
    // Nothing pending: an outbox entry left by a crash or a lost race has served its purpose.
    if (isTerminal(r.phase)) await d.outbox.remove(r.id);
    return;
  }
  let saved: Release | undefined;
  for (let i = 0; i < MAX_CONFLICTS && !saved; i++) {
    const cur = await d.store.get(r.id);
    if (!cur) return;
    const next: Release = {
      ...cur,
      progress: { ...cur.progress, ...report.progress },
      outcome: {
        ...cur.outcome,
        links: { ...cur.outcome.links, ...report.links },
        ...(report.codeScanning ? { codeScanning: report.codeScanning } : {}),
        ...(report.abandoned ? { notifyAbandoned: report.abandoned } : {}),
      },
    };
    const res = await d.store.save(next, {}, d.clock.now());
    if (res.ok) saved = res.value;
  }
  if (!saved) log.warn('could not record notification results after repeated conflicts', { release_id: r.id });
  if (isTerminal(r.phase)) {
    const after = saved ?? { ...r, progress: { ...r.progress, ...report.progress } };
    if (after.progress.notifyPending?.length) await d.outbox.put(outboxEntry(after));
    else await d.outbox.remove(r.id);
  }
  if (report.resendInSeconds !== undefined)
    await d.queue.enqueue({ releaseId: r.id, correlationId: r.correlationId }, { delaySeconds: report.resendInSeconds });
}
