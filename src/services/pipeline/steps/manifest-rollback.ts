/**
 * rolling_back, for manifest releases: re-apply the objects the last verified manifest release applied
 * (from its own record: no GitHub read, so GitHub being down cannot stop a rollback), pinned again to
 * each app's verified digest; or, with none recorded, undo each Deployment one by one. Every apply and
 * undo that fails for a reason that is not final is tried again until the rollback's deadline.
 */
import { appsTouched } from '../../domain/manifest-images.js';
import { slotOrder } from '../../domain/lease.js';
import type { RollbackIntent } from '../../domain/release.js';
import { wait, type Decision } from '../decision.js';
import { addSeconds, describeFailure, finish, retryUntil, workloadOf, type StepContext } from './common.js';
import { writerToken } from '../../domain/writer.js';
import { appsIn, pinApps, watch } from './manifest.js';
import { holdSlots } from './manifest-slots.js';
import { keepTags, outcomePatch } from './keep-tags.js';

type Reapply = Extract<RollbackIntent, { mode: 'reapply' }>;
type Undo = Extract<RollbackIntent, { mode: 'undo' }>;

const failedFor = (c: StepContext) => ({ quarantine: c.r.manifestCommit ?? c.r.id });
const elapsed = (c: StepContext, since: string) => (c.now.getTime() - new Date(since).getTime()) / 1000;

export async function manifestRollback(c: StepContext): Promise<Decision> {
  const { r, d } = c;
  const reason = r.outcome.failure?.reason ?? 'verification failed';
  const intent = r.progress.rollbackIntent;
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
    if (intent.mode === 'reapply') return reapply(c, intent, reason, deadline);
    if (intent.mode === 'undo') return undo(c, intent, deadline);
  }
  const w = await watch(c, ('pins' in intent ? intent.pins : undefined) ?? {});
  const to = intent.mode === 'reapply' ? `the manifests at ${intent.commit}` : 'the previous revisions';
  if (w.kind === 'complete')
    return finish(c, 'rolled_back', `rolled back to ${to} because ${reason}`, failedFor(c), {
      outcome: { rollback: { ...intent, completedAt: c.now.toISOString(), reason } },
    });
  if (w.kind === 'failed' || c.now > deadline)
    return finish(c, 'failed', `ROLLBACK FAILED: ${to} did not roll out: ${w.kind === 'failed' ? w.reason : 'deadline'}`, failedFor(c));
  // Kubernetes not answering does not end a rollback early: it keeps trying until the deadline.
  return wait('rollback', w.kind === 'progressing' ? w.detail : 'kubernetes unavailable', deadline, d.settings.rolloutPollSeconds);
}

async function reapply(c: StepContext, intent: Reapply, reason: string, deadline: Date): Promise<Decision> {
  const { r, d } = c;
  const head = await d.store.head(r.app, r.environment);
  const goodId = head.lastGood?.manifestCommit === intent.commit ? head.lastGood.releaseId : undefined;
  const good = goodId ? await d.store.get(goodId) : undefined;
  const plan = good?.progress.manifest;
  if (!plan?.objects.length) {
    // Verified before manifests were recorded with their release: undo each Deployment instead.
    const undoing: Undo = { mode: 'undo', startedAt: intent.startedAt };
    const why = `${reason} (the objects applied at ${intent.commit} are not on record; undoing each Deployment instead)`;
    return { kind: 'continue', progress: { rollbackIntent: undoing }, outcome: { rollback: { ...undoing, reason: why } } };
  }
  const apps = [...appsTouched(plan.objects, d.catalog.apps), ...appsIn(c, r.progress.manifest?.pins ?? {})].map((a) => a.name);
  const held = await holdSlots(c, apps, (why) => finish(c, 'failed', `ROLLBACK FAILED: ${why}`, failedFor(c)));
  if ('decision' in held) return held.decision;
  // The recorded pins are what that release verified: the fallback for an app with no verified digest since.
  const pinned = pinApps(c, { objects: plan.objects, fallback: plan.pins }, held.held);
  if ('error' in pinned) return finish(c, 'failed', `ROLLBACK FAILED: re-applying ${intent.commit}: ${pinned.error}`, failedFor(c));
  const res = await d.cluster.apply(pinned.objects);
  if (!res.ok)
    return retryUntil(
      c,
      res.error,
      { on: 'kubernetes', for: `re-applying ${intent.commit.slice(0, 7)} (${res.error.message})`, deadline },
      (e) =>
        finish(
          c,
          'failed',
          `ROLLBACK FAILED: re-applying ${intent.commit}: ${describeFailure(e, elapsed(c, intent.startedAt))}`,
          failedFor(c),
        ),
    );
  return {
    kind: 'continue',
    afterSeconds: d.settings.rolloutPollSeconds,
    progress: { rollbackSetAt: c.now.toISOString(), rollbackIntent: { ...intent, pins: pinned.pins } },
    ...outcomePatch(await keepTags(c, 'deployed', Object.values(pinned.pins))),
  };
}

/** One Deployment per tick, each recorded before the next: `rollout undo` twice would flip back. */
async function undo(c: StepContext, intent: Undo, deadline: Date): Promise<Decision> {
  const { r, d } = c;
  const done = intent.undone ?? [];
  const apps = appsIn(c, r.progress.manifest?.pins ?? {});
  const next = slotOrder(apps.map((a) => a.name)).find((a) => !done.includes(a));
  const app = apps.find((a) => a.name === next);
  const setAt = (i: Undo, left: boolean): Decision => ({
    kind: 'continue',
    ...(left ? {} : { afterSeconds: d.settings.rolloutPollSeconds }),
    progress: { rollbackIntent: i, ...(left ? {} : { rollbackSetAt: c.now.toISOString() }) },
  });
  if (!app) return setAt(intent, false);
  // Fenced on its own token only (manifest applies leave none to follow): an undo a crashed tick already
  // made is not made again, which would go back to the failing revision.
  const res = await d.cluster.undo(
    workloadOf(app),
    {
      releaseId: r.id,
      step: 'rollback',
      sourceEvent: `${r.source.door}:${r.source.eventId}`,
      changeCause: `rollback of ${r.id}: ${r.outcome.failure?.reason ?? 'verification failed'}`.slice(0, 250),
    },
    { self: writerToken(r.id, 'rollback') },
  );
  const left = apps.length > done.length + 1;
  if (res.ok) {
    const undone = setAt({ ...intent, undone: [...done, app.name], pins: { ...intent.pins, [app.name]: res.value.image } }, left);
    return { ...undone, ...outcomePatch(await keepTags(c, 'deployed', [res.value.image])) };
  }
  // No previous revision: nothing to undo for this one.
  if (res.error.kind === 'not-found') return setAt({ ...intent, undone: [...done, app.name], pins: { ...intent.pins } }, left);
  return retryUntil(c, res.error, { on: 'kubernetes', for: `undoing ${app.name} (${res.error.message})`, deadline }, (e) =>
    finish(c, 'failed', `ROLLBACK FAILED: undo ${app.name}: ${describeFailure(e, elapsed(c, intent.startedAt))}`, failedFor(c)),
  );
}
