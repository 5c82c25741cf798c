/**
 * Manifest releases: k8s/apps at a commit, validated, images kept pinned to the digests already
 * verified, server-side applied, then watched and verified like an image release. Rollback
 * re-applies the last verified manifest commit (or undoes each Deployment when there is none).
 */
import { findApp, type AppSpec } from '../../domain/catalog.js';
import { containerImageOf, parseManifests, withContainerImage, type K8sObject } from '../../domain/manifests.js';
import { pinnedImage } from '../../domain/image-ref.js';
import type { AdapterError, Result } from '../../domain/result.js';
import type { RollbackIntent } from '../../domain/release.js';
import { assessRollout } from '../assess.js';
import { advance, wait, type Decision } from '../decision.js';
import { addSeconds, finish, retryUntil, toRollback, workloadOf, type StepContext } from './common.js';

interface Prepared {
  objects: K8sObject[];
  /** Catalog apps whose Deployment the manifests contain, with the image each is pinned to. */
  pins: Record<string, string>;
}

/** Read, validate and pin the manifests at a commit. */
async function prepare(c: StepContext, commit: string): Promise<Result<Prepared, string>> {
  const { d } = c;
  const tree = await d.source.readTree(commit, d.catalog.manifestPath);
  if (!tree.ok) return { ok: false, error: `cannot read ${d.catalog.manifestPath} at ${commit}: ${tree.error.message}` };
  const namespace = d.catalog.apps[0]?.namespace ?? 'tail-spin';
  const { objects, problems } = parseManifests(tree.value, namespace, {
    policy: d.catalog.manifestPolicy,
    registry: d.settings.acrLoginServer,
  });
  if (problems.length > 0) {
    return {
      ok: false,
      error: `invalid manifests: ${problems.map((p) => `${p.path}#${p.document}${p.object ? ` ${p.object}` : ''}: ${p.reason}`).join('; ')}`,
    };
  }
  const pins: Record<string, string> = {};
  let pinned = objects;
  for (const app of d.catalog.apps) {
    if (!objects.some((o) => o.kind === 'Deployment' && o.metadata.name === app.deployment)) continue;
    const head = await d.store.head(app.name, c.r.environment);
    let image = head.lastGood?.image ? pinnedImage(head.lastGood.image) : undefined;
    if (!image) {
      const now = await d.cluster.observe(workloadOf(app));
      image = now.ok ? now.value.image : undefined;
    }
    const declared = objects.find((o) => o.metadata.name === app.deployment);
    image ??= declared ? containerImageOf(declared, app.container) : undefined;
    if (!image) return { ok: false, error: `no verified or running image for ${app.name} to keep its Deployment pinned to` };
    pins[app.name] = image;
    pinned = pinned.map((o) =>
      o.kind === 'Deployment' && o.metadata.name === app.deployment ? withContainerImage(o, app.container, image) : o,
    );
  }
  return { ok: true, value: { objects: pinned, pins } };
}

const appsIn = (c: StepContext, pins: Record<string, string>): AppSpec[] =>
  Object.keys(pins).flatMap((n) => {
    const a = findApp(c.d.catalog, n);
    return a ? [a] : [];
  });

type Watch =
  | { kind: 'complete' }
  | { kind: 'failed'; reason: string }
  | { kind: 'progressing'; detail: string }
  | { kind: 'error'; error: AdapterError };

async function watch(c: StepContext, pins: Record<string, string>): Promise<Watch> {
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

/** deploying, for manifest releases: prepare, apply, watch. */
export async function manifestDeploy(c: StepContext): Promise<Decision> {
  const { r, d } = c;
  const commit = r.manifestCommit ?? '';
  const prepared = r.progress.manifest;
  if (!prepared) {
    const p = await prepare(c, commit);
    if (!p.ok) return finish(c, 'blocked', p.error, {});
    return {
      kind: 'continue',
      progress: { manifest: p.value },
      outcome: { manifest: { commit, objects: p.value.objects.map((o) => `${o.kind}/${o.metadata.name}`), pins: p.value.pins } },
    };
  }
  if (!r.progress.appliedAt) {
    const res = await d.cluster.apply(prepared.objects);
    if (!res.ok) {
      const deadline = addSeconds(r.updatedAt, d.settings.rolloutDeadlineSeconds);
      // Some objects may have been applied before the failure: put the last good manifests back.
      return retryUntil(c, res.error, { on: 'kubernetes', for: `applying manifests (${res.error.message})`, deadline }, (e) =>
        toRollback(c, `server-side apply failed: ${e.message}`, {}),
      );
    }
    return {
      kind: 'continue',
      afterSeconds: d.settings.rolloutPollSeconds,
      progress: { appliedAt: c.now.toISOString(), imageSetAt: c.now.toISOString() },
      outcome: { applied: res.value.applied },
    };
  }
  const w = await watch(c, prepared.pins);
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

/** rolling_back, for manifest releases: re-apply the last verified commit, or undo each Deployment. */
export async function manifestRollback(c: StepContext): Promise<Decision> {
  const { r, d } = c;
  const reason = r.outcome.failure?.reason ?? 'verification failed';
  const intent = r.progress.rollbackIntent;
  const quarantine = { quarantine: r.manifestCommit ?? r.id };
  if (!intent) {
    const head = await d.store.head(r.app, r.environment);
    const good =
      head.lastGood?.manifestCommit && head.lastGood.manifestCommit !== r.manifestCommit ? head.lastGood.manifestCommit : undefined;
    const next: RollbackIntent = good
      ? { mode: 'reapply', commit: good, startedAt: c.now.toISOString() }
      : { mode: 'undo', startedAt: c.now.toISOString() };
    return { kind: 'continue', progress: { rollbackIntent: next }, outcome: { rollback: { ...next, reason } } };
  }
  const deadline = addSeconds(intent.startedAt, d.settings.rolloutDeadlineSeconds);
  if (!r.progress.rollbackSetAt) {
    const pins: Record<string, string> = {};
    if (intent.mode === 'reapply') {
      const p = await prepare(c, intent.commit);
      if (!p.ok) return finish(c, 'failed', `ROLLBACK FAILED: ${p.error}`, quarantine);
      const res = await d.cluster.apply(p.value.objects);
      if (!res.ok) return finish(c, 'failed', `ROLLBACK FAILED: re-applying ${intent.commit}: ${res.error.message}`, quarantine);
      Object.assign(pins, p.value.pins);
    } else {
      for (const app of appsIn(c, r.progress.manifest?.pins ?? {})) {
        const res = await d.cluster.undo(workloadOf(app), {
          releaseId: r.id,
          sourceEvent: `${r.source.door}:${r.source.eventId}`,
          changeCause: `rollback of ${r.id}: ${reason}`.slice(0, 250),
        });
        if (!res.ok && res.error.kind !== 'not-found')
          return finish(c, 'failed', `ROLLBACK FAILED: undo ${app.name}: ${res.error.message}`, quarantine);
        if (res.ok) pins[app.name] = res.value.image;
      }
    }
    return {
      kind: 'continue',
      afterSeconds: d.settings.rolloutPollSeconds,
      progress: { rollbackSetAt: c.now.toISOString(), rollbackIntent: intent.mode === 'image' ? intent : { ...intent, pins } },
    };
  }
  const w = await watch(c, ('pins' in intent ? intent.pins : undefined) ?? {});
  const to = intent.mode === 'reapply' ? `the manifests at ${intent.commit}` : 'the previous revisions';
  if (w.kind === 'complete')
    return finish(c, 'rolled_back', `rolled back to ${to} because ${reason}`, quarantine, {
      outcome: { rollback: { ...intent, completedAt: c.now.toISOString(), reason } },
    });
  if (w.kind === 'failed' || c.now > deadline)
    return finish(c, 'failed', `ROLLBACK FAILED: ${to} did not roll out: ${w.kind === 'failed' ? w.reason : 'deadline'}`, quarantine);
  // Kubernetes not answering does not end a rollback early: it keeps trying until the deadline.
  return wait('rollback', w.kind === 'progressing' ? w.detail : 'kubernetes unavailable', deadline, d.settings.rolloutPollSeconds);
}
