/**
 * deploying, for manifest releases: hold the slot of every app whose Deployment the manifests contain
 * (domain/lease.ts), pin each to the digest current then, server-side apply the gated objects, and
 * watch each pinned Deployment roll out; then verify like an image release.
 */
import { findApp, type AppSpec } from '../../domain/catalog.js';
import { pinnedImage } from '../../domain/image-ref.js';
import { appsTouched } from '../../domain/manifest-images.js';
import { withContainerImage, type K8sObject } from '../../domain/manifests.js';
import type { AdapterError } from '../../domain/result.js';
import type { ManifestPlan } from '../../domain/release.js';
import type { StoredHead } from '../../ports.js';
import { assessRollout } from '../assess.js';
import { advance, wait, type Decision } from '../decision.js';
import { addSeconds, describeFailure, finish, retryUntil, toRollback, workloadOf, type StepContext } from './common.js';
import { holdSlots } from './manifest-slots.js';
import { keepTags } from './keep-tags.js';

export const appsIn = (c: StepContext, pins: Record<string, string>): AppSpec[] =>
  Object.keys(pins).flatMap((n) => {
    const a = findApp(c.d.catalog, n);
    return a ? [a] : [];
  });

type Watch =
  | { kind: 'complete' }
  | { kind: 'failed'; reason: string }
  | { kind: 'progressing'; detail: string }
  | { kind: 'error'; error: AdapterError };

export async function watch(c: StepContext, pins: Record<string, string>): Promise<Watch> {
  const details: string[] = [];
  for (const app of appsIn(c, pins)) {
    const obs = await c.d.cluster.observe(workloadOf(app));
    if (!obs.ok) return { kind: 'error', error: obs.error };
    const v = assessRollout(obs.value, pins[app.name]);
    if (v.kind === 'failed') return { kind: 'failed', reason: `${app.name}: ${v.reason}` };
    if (v.kind === 'progressing') details.push(`${app.name}: ${v.detail}`);
  }
  return details.length ? { kind: 'progressing', detail: details.join('; ') } : { kind: 'complete' };
}

/**
 * The objects with each app's Deployment pinned to the digest current now that the release holds its
 * slot: the app's last verified digest, or (none yet) its declared image as resolved and gated.
 */
export function pinApps(
  c: StepContext,
  plan: Pick<ManifestPlan, 'objects' | 'fallback'>,
  heads: StoredHead[],
): { objects: K8sObject[]; pins: Record<string, string> } | { error: string } {
  const pins: Record<string, string> = {};
  let objects = plan.objects as K8sObject[];
  for (const app of appsTouched(objects, c.d.catalog.apps)) {
    const head = heads.find((h) => h.app === app.name);
    const good = head?.lastGood?.image ? pinnedImage(head.lastGood.image) : undefined;
    const declared = plan.fallback?.[app.name];
    const image = good ?? declared;
    if (!image) return { error: `no verified digest for ${app.name}, and its declared image was not resolved` };
    if (!good && head?.quarantined.some((q) => declared?.endsWith(`@${q.digest}`)))
      return { error: `${app.name}'s declared image ${image} is quarantined after a failed release` };
    pins[app.name] = image;
    objects = objects.map((o) =>
      o.kind === 'Deployment' && o.metadata.name === app.deployment ? withContainerImage(o, app.container, image) : o,
    );
  }
  return { objects, pins };
}

export async function manifestDeploy(c: StepContext): Promise<Decision> {
  const { r, d } = c;
  const commit = r.manifestCommit ?? '';
  const plan = r.progress.manifest;
  // Releases admitted before manifests were planned and gated in queued/scanning have nothing gated to apply.
  if (!plan || !plan.images)
    return finish(c, 'blocked', 'no gated manifest plan (admitted by an older version); push the commit again', {});
  if (!r.progress.pinnedAt) {
    const held = await holdSlots(
      c,
      appsTouched(plan.objects, d.catalog.apps).map((a) => a.name),
    );
    if ('decision' in held) return held.decision;
    const pinned = pinApps(c, plan, held.held);
    if ('error' in pinned) return finish(c, 'blocked', `${pinned.error}; nothing was applied`, {});
    return {
      kind: 'continue',
      progress: { manifest: { ...plan, ...pinned }, pinnedAt: c.now.toISOString() },
      outcome: {
        manifest: { commit, objects: pinned.objects.map((o) => `${o.kind}/${o.metadata.name}`), ...r.outcome.manifest, pins: pinned.pins },
      },
    };
  }
  if (!r.progress.appliedAt) {
    const res = await d.cluster.apply(plan.objects);
    if (!res.ok) {
      const deadline = addSeconds(r.progress.pinnedAt, d.settings.rolloutDeadlineSeconds);
      // Some objects may have been applied before the failure: put the last good manifests back.
      return retryUntil(c, res.error, { on: 'kubernetes', for: `applying manifests (${res.error.message})`, deadline }, (e) =>
        toRollback(
          c,
          `server-side apply failed: ${describeFailure(e, (c.now.getTime() - new Date(r.progress.pinnedAt ?? c.now).getTime()) / 1000)}`,
          {},
        ),
      );
    }
    return {
      kind: 'continue',
      afterSeconds: d.settings.rolloutPollSeconds,
      progress: { appliedAt: c.now.toISOString(), imageSetAt: c.now.toISOString() },
      outcome: { applied: res.value.applied, ...(await keepTags(c, 'deployed', Object.values(plan.pins))) },
    };
  }
  const w = await watch(c, plan.pins);
  const deadline = addSeconds(r.progress.appliedAt, d.settings.rolloutDeadlineSeconds);
  if (w.kind === 'complete')
    return advance('verifying', `manifests at ${commit.slice(0, 7)} applied and rolled out`, {
      progress: { rolloutCompleteAt: c.now.toISOString() },
    });
  if (w.kind === 'failed') return toRollback(c, `rollout failed: ${w.reason}`, {});
  if (w.kind === 'error')
    return retryUntil(
      c,
      w.error,
      { on: 'rollout', for: 'kubernetes unavailable', deadline, pollSeconds: d.settings.rolloutPollSeconds },
      (e) => toRollback(c, `cannot watch the rollout: ${e.message}`, {}),
    );
  if (c.now > deadline) return toRollback(c, `rollout did not complete within ${d.settings.rolloutDeadlineSeconds} s`, {});
  return wait('rollout', w.detail, deadline, d.settings.rolloutPollSeconds);
}
