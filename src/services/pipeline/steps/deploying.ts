/**
 * deploying: record intent, set the image (pinned by digest), watch the rollout. Each side
 * effect happens only after the state that explains it is saved, and is idempotent: a worker
 * killed between "image set" and "state saved" finds the image already there and goes on.
 */
import { pinnedImage } from '../../domain/image-ref.js';
import type { DeployAnnotations } from '../../ports.js';
import type { AdapterError } from '../../domain/result.js';
import { assessRollout } from '../assess.js';
import { advance, retryable, retryAfterSeconds, type Decision, str } from '../decision.js';
import { finish } from './slot.js';
import { addSeconds, workloadOf, type StepContext } from './context.js';

export function annotationsFor(c: StepContext, cause: string): DeployAnnotations {
  return {
    releaseId: c.r.id,
    ...(c.r.commit ? { commit: c.r.commit } : {}),
    sourceEvent: `${c.r.source.door}:${c.r.source.eventId}`.slice(0, 250),
    changeCause: `tailspin-deployer ${c.r.id}: ${cause}`.slice(0, 250),
  };
}

export async function deploying(c: StepContext): Promise<Decision> {
  const { r, d, app } = c;
  if (!app) return finish(c, 'failed', `no catalog entry for ${r.app}`, {});
  const w = workloadOf(app);
  const intent = r.progress.deployIntent as { image?: string; previousImage?: string; undo?: boolean } | undefined;

  if (!intent) {
    const before = await d.cluster.observe(w);
    if (!before.ok) return clusterTrouble(c, 'reading the Deployment', before.error);
    const target = r.image ? pinnedImage(r.image) : undefined;
    return {
      kind: 'continue',
      progress: {
        deployIntent: {
          ...(target ? { image: target } : { undo: true }),
          previousImage: before.value.image,
          previousRevision: before.value.revision,
        },
      },
    };
  }

  if (!r.progress.imageSetAt) {
    const cause = intent.undo ? 'rollback to the previous revision' : `deploy ${intent.image ?? ''}`;
    const res = intent.undo
      ? await d.cluster.undo(w, annotationsFor(c, cause))
      : await d.cluster.setImage(w, intent.image ?? '', annotationsFor(c, cause));
    if (!res.ok) {
      if (res.error.kind === 'not-found' && intent.undo)
        return finish(c, 'failed', 'nothing to roll back to: the Deployment has no previous revision', {});
      return clusterTrouble(c, intent.undo ? 'undoing the rollout' : 'setting the image', res.error);
    }
    const image = 'image' in res.value ? res.value.image : intent.image;
    return {
      kind: 'continue',
      afterSeconds: d.settings.rolloutPollSeconds,
      progress: { imageSetAt: c.now.toISOString(), imageChanged: res.value.changed, deployIntent: { ...intent, image } },
    };
  }

  const obs = await d.cluster.observe(w);
  if (!obs.ok) return clusterTrouble(c, 'watching the rollout', obs.error);
  const verdict = assessRollout(obs.value, intent.image);
  const deadline = addSeconds(str(r.progress.imageSetAt), d.settings.rolloutDeadlineSeconds);
  const rollout = {
    revision: obs.value.revision,
    replicas: obs.value.replicas,
    ready: obs.value.readyReplicas,
    available: obs.value.availableReplicas,
  };
  if (verdict.kind === 'complete') {
    return advance(
      'verifying',
      `rollout complete (revision ${obs.value.revision ?? '?'}, ${obs.value.availableReplicas}/${obs.value.replicas} available)`,
      {
        progress: { rolloutCompleteAt: c.now.toISOString() },
        outcome: { rollout },
      },
    );
  }
  if (verdict.kind === 'failed') return toRollback(c, `rollout failed: ${verdict.reason}`, { rollout, podProblems: obs.value.podProblems });
  if (c.now > deadline)
    return toRollback(c, `rollout did not complete within ${d.settings.rolloutDeadlineSeconds} s: ${verdict.detail}`, { rollout });
  return { kind: 'wait', for: `rollout: ${verdict.detail}`, deadline, afterSeconds: d.settings.rolloutPollSeconds, outcome: { rollout } };
}

/** Into rolling_back, keeping the cluster's own account of what went wrong as evidence. */
export async function toRollback(
  c: StepContext,
  reason: string,
  evidence: Record<string, unknown>,
  outcome: Record<string, unknown> = {},
): Promise<Decision> {
  const events = c.app ? await c.d.cluster.events(workloadOf(c.app), 20) : undefined;
  return advance('rolling_back', reason, {
    outcome: { ...outcome, failure: { reason, at: c.now.toISOString(), ...evidence, ...(events?.ok ? { events: events.value } : {}) } },
  });
}

/** The cluster did not answer: retry until the rollout deadline, then treat it as a failed rollout. */
function clusterTrouble(c: StepContext, doing: string, e: AdapterError): Decision | Promise<Decision> {
  const since = str(c.r.progress.imageSetAt, c.r.updatedAt);
  const deadline = addSeconds(since, c.d.settings.rolloutDeadlineSeconds);
  if (retryable(e) && c.now < deadline) {
    return {
      kind: 'wait',
      for: `kubernetes: ${doing} (${e.message})`,
      deadline,
      afterSeconds: retryAfterSeconds(e, c.d.settings.rolloutPollSeconds),
    };
  }
  if (!c.r.progress.imageSetAt) return finish(c, 'blocked', `kubernetes ${doing} failed: ${e.message}; nothing was changed`, {});
  return toRollback(c, `kubernetes ${doing} failed: ${e.message}`, {});
}
