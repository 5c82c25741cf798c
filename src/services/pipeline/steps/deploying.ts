/**
 * deploying: record intent, set the image (pinned by digest), watch the rollout. Each side
 * effect happens only after the state that explains it is saved, and is idempotent: a worker
 * killed between "image set" and "state saved" finds the image already there and goes on.
 */
import { pinnedImage } from '../../domain/image-ref.js';
import type { AdapterError, Result } from '../../domain/result.js';
import type { DeployIntent } from '../../domain/release.js';
import type { Workload } from '../../ports.js';
import { assessRollout } from '../assess.js';
import { advance, wait, type Decision } from '../decision.js';
import { addSeconds, annotationsFor, fenceFor, finish, retryUntil, toRollback, workloadOf, type StepContext } from './common.js';
import { failureText } from './kube-calls.js';
import { keepTags, outcomePatch } from './keep-tags.js';

export async function deploying(c: StepContext): Promise<Decision> {
  const { r, d, app } = c;
  if (!app) return finish(c, 'failed', `no catalog entry for ${r.app}`, {});
  const w = workloadOf(app);
  const intent = r.progress.deployIntent;

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
          previousWriter: before.value.writer ?? '',
        },
      },
    };
  }

  if (!r.progress.imageSetAt) return setImage(c, w, intent);

  const obs = await d.cluster.observe(w);
  if (!obs.ok) return clusterTrouble(c, 'watching the rollout', obs.error);
  const verdict = assessRollout(obs.value, intent.image);
  const deadline = addSeconds(r.progress.imageSetAt, d.settings.rolloutDeadlineSeconds);
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
      { progress: { rolloutCompleteAt: c.now.toISOString() }, outcome: { rollout } },
    );
  }
  if (verdict.kind === 'failed') return toRollback(c, `rollout failed: ${verdict.reason}`, { rollout, podProblems: obs.value.podProblems });
  if (c.now > deadline)
    return toRollback(c, `rollout did not complete within ${d.settings.rolloutDeadlineSeconds} s: ${verdict.detail}`, { rollout });
  return wait('rollout', verdict.detail, deadline, d.settings.rolloutPollSeconds, { outcome: { rollout } });
}

/** The one change to the cluster: set the pinned image, or undo to the previous revision. */
async function setImage(c: StepContext, w: Workload, intent: DeployIntent): Promise<Decision> {
  const { d } = c;
  const cause = intent.undo ? 'rollback to the previous revision' : `deploy ${intent.image ?? ''}`;
  // Undo answers with the image it restored; setting an image answers only whether it changed.
  const res: Result<{ changed: boolean; image?: string }> = intent.undo
    ? await d.cluster.undo(w, annotationsFor(c, cause, 'deploy'), fenceFor(c, 'deploy'))
    : await d.cluster.setImage(w, intent.image ?? '', annotationsFor(c, cause, 'deploy'), fenceFor(c, 'deploy'));
  if (!res.ok) {
    if (res.error.kind === 'not-found' && intent.undo)
      return finish(c, 'failed', 'nothing to roll back to: the Deployment has no previous revision', {});
    return clusterTrouble(c, intent.undo ? 'undoing the rollout' : 'setting the image', res.error);
  }
  const image = res.value.image ?? intent.image;
  // What runs now keeps a tag (deployed-<env>) the purge never matches; never holds the rollout.
  const kept = outcomePatch(await keepTags(c, 'deployed', [image]));
  return {
    kind: 'continue',
    afterSeconds: d.settings.rolloutPollSeconds,
    progress: { imageSetAt: c.now.toISOString(), imageChanged: res.value.changed, deployIntent: { ...intent, image } },
    ...kept,
  };
}

/**
 * The cluster did not answer: retry until the rollout deadline — counted from the image change, or
 * from when this wait on the cluster began (every save moves updatedAt) — then treat it as a failed
 * rollout. A final error (invalid, not-found, auth) ends it at once and says so.
 */
function clusterTrouble(c: StepContext, doing: string, e: AdapterError): Promise<Decision> {
  const imageSetAt = c.r.progress.imageSetAt;
  const since = imageSetAt ?? (c.r.wait?.on === 'kubernetes' ? c.r.wait.since : c.r.updatedAt);
  const deadline = addSeconds(since, c.d.settings.rolloutDeadlineSeconds);
  return retryUntil(
    c,
    e,
    { on: 'kubernetes', for: `${doing} (${e.message})`, deadline, pollSeconds: c.d.settings.rolloutPollSeconds },
    (e) =>
      imageSetAt
        ? toRollback(c, `kubernetes ${doing} failed: ${failureText(e)}`, {})
        : finish(c, 'blocked', `kubernetes ${doing} failed: ${failureText(e)}; nothing was changed`, {}),
  );
}
