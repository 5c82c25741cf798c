/**
 * rolling_back: back to the last verified-good release, or `rollout undo` when there is none.
 * The failed digest is quarantined. A rollback that fails ends `failed` — never another rollback.
 */
import { pinnedImage } from '../../domain/image-ref.js';
import type { FailureRecord, RollbackIntent } from '../../domain/release.js';
import type { Workload } from '../../ports.js';
import type { Result } from '../../domain/result.js';
import { assessRollout } from '../assess.js';
import { wait, type Decision } from '../decision.js';
import { addSeconds, annotationsFor, fenceFor, finish, isFinal, retryUntil, workloadOf, type StepContext } from './common.js';
import { failureText } from './kube-calls.js';
import { keepTags, outcomePatch } from './keep-tags.js';

export async function rollingBack(c: StepContext): Promise<Decision> {
  if (!c.app) return finish(c, 'failed', `rollback impossible: no catalog entry for ${c.r.app}`, {});
  const w = workloadOf(c.app);
  const [failure, decision] = await Promise.all([evidence(c, w), step(c, w)]);
  return failure ? { ...decision, outcome: { ...decision.outcome, failure } } : decision;
}

/**
 * Pod events the failing step could not read (a transient error): asked again on each look while
 * the rollback runs; a final error is recorded as such and not asked again.
 */
async function evidence(c: StepContext, w: Workload): Promise<FailureRecord | undefined> {
  const f = c.r.outcome.failure;
  if (!f || f.events || !f.eventsError || isFinal(f.eventsError)) return undefined;
  const res = await c.d.cluster.events(w, 20);
  if (res.ok) {
    const { eventsError: _read, ...rest } = f;
    return { ...rest, events: res.value };
  }
  return { ...f, eventsError: { kind: res.error.kind, message: failureText(res.error) } };
}

async function step(c: StepContext, w: Workload): Promise<Decision> {
  const { r, d } = c;
  const intent = r.progress.rollbackIntent;
  const quarantine = { quarantine: r.image?.digest };
  const reason = r.outcome.failure?.reason ?? 'verification failed';

  if (!intent) {
    const head = await d.store.head(r.app, r.environment);
    const good = head.lastGood;
    // Rolling back to the very digest that just failed would loop; undo to the previous revision instead.
    const usable = good?.image && good.image.digest !== r.image?.digest ? good : undefined;
    const next: RollbackIntent = usable?.image
      ? { mode: 'image', image: pinnedImage(usable.image), toReleaseId: usable.releaseId, startedAt: c.now.toISOString() }
      : { mode: 'undo', startedAt: c.now.toISOString() };
    return { kind: 'continue', progress: { rollbackIntent: next }, outcome: { rollback: { ...next, reason } } };
  }

  const deadline = addSeconds(intent.startedAt, d.settings.rolloutDeadlineSeconds);
  const poll = d.settings.rolloutPollSeconds;
  if (!r.progress.rollbackSetAt) return startRollback(c, w, intent, reason, deadline);

  const obs = await d.cluster.observe(w);
  if (!obs.ok)
    return retryUntil(
      c,
      obs.error,
      { on: 'kubernetes', for: `watching the rollback (${obs.error.message})`, deadline, pollSeconds: poll },
      (e) => finish(c, 'failed', `ROLLBACK FAILED: cannot observe the rollback: ${failureText(e)}`, quarantine),
    );
  const verdict = assessRollout(obs.value, imageOf(intent));
  const restoredTo =
    intent.mode === 'image'
      ? `release ${intent.toReleaseId} (${intent.image})`
      : `the previous revision (${imageOf(intent) ?? obs.value.image})`;
  if (verdict.kind === 'complete') {
    return finish(c, 'rolled_back', `rolled back to ${restoredTo} because ${reason}`, quarantine, {
      outcome: { rollback: { ...intent, completedAt: c.now.toISOString(), reason, revision: obs.value.revision } },
    });
  }
  if (verdict.kind === 'failed' || c.now > deadline) {
    const why =
      verdict.kind === 'failed' ? verdict.reason : `not complete within ${d.settings.rolloutDeadlineSeconds} s: ${verdict.detail}`;
    return finish(c, 'failed', `ROLLBACK FAILED: the rollback to ${restoredTo} did not roll out: ${why}`, quarantine, {
      outcome: { rollbackFailure: { reason: why, podProblems: obs.value.podProblems } },
    });
  }
  return wait('rollback', verdict.detail, deadline, poll);
}

/** Set the verified image back, or undo; either is idempotent, so a crash before the save repeats it safely. */
async function startRollback(c: StepContext, w: Workload, intent: RollbackIntent, reason: string, deadline: Date): Promise<Decision> {
  const { r, d } = c;
  const cause = `rollback of ${r.id}: ${reason}`;
  // Undo answers with the image it restored; setting an image answers only whether it changed.
  const res: Result<{ changed: boolean; image?: string }> =
    intent.mode === 'image'
      ? await d.cluster.setImage(w, intent.image, annotationsFor(c, cause, 'rollback'), fenceFor(c, 'rollback'))
      : await d.cluster.undo(w, annotationsFor(c, cause, 'rollback'), fenceFor(c, 'rollback'));
  if (!res.ok) {
    const what = intent.mode === 'image' ? `set ${intent.image}` : 'undo';
    return retryUntil(
      c,
      res.error,
      { on: 'kubernetes', for: `starting the rollback (${res.error.message})`, deadline, pollSeconds: d.settings.rolloutPollSeconds },
      (e) =>
        finish(c, 'failed', `ROLLBACK FAILED: could not ${what}: ${failureText(e)}; the failing release may still be running`, {
          quarantine: r.image?.digest,
        }),
    );
  }
  const next: RollbackIntent = intent.mode === 'undo' ? { ...intent, image: res.value.image ?? intent.image } : intent;
  // The digest rolled back to runs now: deployed-<env> follows it (never holds the rollback).
  const kept = outcomePatch(await keepTags(c, 'deployed', [imageOf(next)]));
  return {
    kind: 'continue',
    afterSeconds: d.settings.rolloutPollSeconds,
    progress: { rollbackSetAt: c.now.toISOString(), rollbackIntent: next },
    ...kept,
  };
}

const imageOf = (i: RollbackIntent): string | undefined => (i.mode === 'reapply' ? undefined : i.image);
