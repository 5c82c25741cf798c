/**
 * rolling_back: back to the last verified-good release, or `rollout undo` when there is none.
 * The failed digest is quarantined. A rollback that fails ends `failed` — never another rollback.
 */
import { pinnedImage } from '../../domain/image-ref.js';
import { assessRollout } from '../assess.js';
import { retryable, retryAfterSeconds, type Decision } from '../decision.js';
import { annotationsFor } from './deploying.js';
import { finish } from './slot.js';
import { addSeconds, workloadOf, type StepContext } from './context.js';

interface RollbackIntent {
  mode: 'image' | 'undo';
  image?: string;
  toReleaseId?: string;
  startedAt: string;
}

export async function rollingBack(c: StepContext): Promise<Decision> {
  const { r, d, app } = c;
  if (!app) return finish(c, 'failed', `rollback impossible: no catalog entry for ${r.app}`, {});
  const w = workloadOf(app);
  const intent = r.progress.rollbackIntent as RollbackIntent | undefined;
  const quarantine = r.image?.digest;
  const reason = String((r.outcome.failure as { reason?: string } | undefined)?.reason ?? 'verification failed');

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
  if (!r.progress.rollbackSetAt) {
    const cause = `rollback of ${r.id}: ${reason}`;
    const res =
      intent.mode === 'image'
        ? await d.cluster.setImage(w, intent.image ?? '', annotationsFor(c, cause))
        : await d.cluster.undo(w, annotationsFor(c, cause));
    if (!res.ok) {
      if (retryable(res.error) && c.now < deadline)
        return {
          kind: 'wait',
          for: `kubernetes: starting the rollback (${res.error.message})`,
          deadline,
          afterSeconds: retryAfterSeconds(res.error, d.settings.rolloutPollSeconds),
        };
      return finish(
        c,
        'failed',
        `ROLLBACK FAILED: could not ${intent.mode === 'image' ? `set ${intent.image ?? ''}` : 'undo'}: ${res.error.message}; the failing release may still be running`,
        withQuarantine(quarantine),
      );
    }
    const restored = 'image' in res.value ? res.value.image : intent.image;
    return {
      kind: 'continue',
      afterSeconds: d.settings.rolloutPollSeconds,
      progress: { rollbackSetAt: c.now.toISOString(), rollbackIntent: { ...intent, image: restored } },
    };
  }

  const obs = await d.cluster.observe(w);
  if (!obs.ok) {
    if (retryable(obs.error) && c.now < deadline)
      return {
        kind: 'wait',
        for: `kubernetes: watching the rollback (${obs.error.message})`,
        deadline,
        afterSeconds: retryAfterSeconds(obs.error, d.settings.rolloutPollSeconds),
      };
    return finish(c, 'failed', `ROLLBACK FAILED: cannot observe the rollback: ${obs.error.message}`, withQuarantine(quarantine));
  }
  const verdict = assessRollout(obs.value, intent.image);
  const restoredTo = intent.toReleaseId
    ? `release ${intent.toReleaseId} (${intent.image ?? ''})`
    : `the previous revision (${intent.image ?? obs.value.image})`;
  if (verdict.kind === 'complete') {
    return finish(c, 'rolled_back', `rolled back to ${restoredTo} because ${reason}`, withQuarantine(quarantine), {
      outcome: { rollback: { ...intent, completedAt: c.now.toISOString(), reason, revision: obs.value.revision } },
    });
  }
  if (verdict.kind === 'failed' || c.now > deadline) {
    const why =
      verdict.kind === 'failed' ? verdict.reason : `not complete within ${d.settings.rolloutDeadlineSeconds} s: ${verdict.detail}`;
    return finish(c, 'failed', `ROLLBACK FAILED: the rollback to ${restoredTo} did not roll out: ${why}`, withQuarantine(quarantine), {
      outcome: { rollbackFailure: { reason: why, podProblems: obs.value.podProblems } },
    });
  }
  return { kind: 'wait', for: `rollback rollout: ${verdict.detail}`, deadline, afterSeconds: d.settings.rolloutPollSeconds };
}

const withQuarantine = (digest: string | undefined) => (digest ? { quarantine: digest } : {});
