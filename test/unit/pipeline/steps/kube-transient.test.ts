/**
 * Issue 14, item 4 for image releases: the Kubernetes reads and writes of deploying and
 * rolling_back (observe, events, setImage, undo) retry transient, rate-limited and conflicting
 * answers up to the step's deadline; only invalid, not-found and auth are final, and say so.
 */
import { describe, expect, it } from 'vitest';
import { deploying } from '../../../../src/services/pipeline/steps/deploying.js';
import { rollingBack } from '../../../../src/services/pipeline/steps/rolling-back.js';
import type { Release, RollbackIntent } from '../../../../src/services/domain/release.js';
import type { AdapterErrorKind } from '../../../../src/services/domain/result.js';
import { aRelease, at, ctx, errR, fail, iso, okR, pinned, rolledOut, world } from '../world.js';

const intent = { image: pinned(1), previousImage: pinned(0), previousRevision: '2' };
const W = { namespace: 'tail-spin', deployment: 'tailspin-server', container: 'tailspin-server' };
const events = [{ involvedObject: 'Pod/x', type: 'Warning', reason: 'BackOff', message: 'back-off restarting' }];

/** A deploying release that has been waiting on the cluster since T0: every save since moved updatedAt. */
const waitingOnCluster = (over: Partial<Release> = {}): Release =>
  aRelease({
    phase: 'deploying',
    updatedAt: iso(595),
    wait: { on: 'kubernetes', for: 'kubernetes: reading the Deployment (EOF)', since: iso(0), deadline: iso(600) },
    ...over,
  });

describe('deploying: the deadline of a wait on the cluster', () => {
  it('reading the Deployment: transient until the deadline counted from when the wait began, then blocked — not forever', async () => {
    const w = world({ cluster: { observe: () => errR(fail('transient', 'EOF')) } });
    expect(await deploying(ctx(waitingOnCluster(), w, at(599)))).toMatchObject({ kind: 'wait', deadline: at(600) });
    expect(await deploying(ctx(waitingOnCluster(), w, at(601)))).toMatchObject({
      kind: 'advance',
      to: 'blocked',
      reason: 'kubernetes reading the Deployment failed: EOF; nothing was changed',
    });
  });

  it('setting the image: the same deadline holds across ticks', async () => {
    const w = world({ cluster: { setImage: () => errR(fail('rate-limited', 'too many requests', { retryAfterMs: 7000 })) } });
    const r = waitingOnCluster({ progress: { deployIntent: intent } });
    // 300 s into the wait, retryUntil backs off to its 60 s cap (Retry-After's 7 s is only a floor).
    expect(await deploying(ctx(r, w, at(300)))).toMatchObject({ kind: 'wait', deadline: at(600), afterSeconds: 60 });
    expect(await deploying(ctx(r, w, at(601)))).toMatchObject({ to: 'blocked' });
  });
});

describe('deploying: which answers are final', () => {
  const intended = aRelease({ phase: 'deploying', progress: { deployIntent: intent } });

  it('a conflict with another writer is asked again, not the end of the release', async () => {
    const w = world({ cluster: { setImage: () => errR(fail('conflict', 'the object has been modified')) } });
    expect(await deploying(ctx(intended, w, at(5)))).toEqual({
      kind: 'wait',
      on: 'kubernetes',
      for: 'kubernetes: setting the image (the object has been modified)',
      deadline: at(600),
      afterSeconds: 5,
    });
  });

  it.each<[AdapterErrorKind, string]>([
    ['auth', 'deployments.apps "tailspin-server" is forbidden'],
    ['not-found', 'deployments.apps "tailspin-server" not found'],
    ['invalid', 'spec.template.spec.containers[0].image: Invalid value'],
  ])('%s on reading the Deployment ends the release at once, saying it was final', async (kind, message) => {
    const w = world({ cluster: { observe: () => errR(fail(kind, message)) } });
    expect(await deploying(ctx(aRelease({ phase: 'deploying' }), w, at(5)))).toMatchObject({
      to: 'blocked',
      reason: `kubernetes reading the Deployment failed: ${message} (${kind}: final, not retried); nothing was changed`,
    });
  });

  it('watching the rollout: a final answer rolls back at once and says so', async () => {
    const set = aRelease({ phase: 'deploying', progress: { deployIntent: intent, imageSetAt: iso(0) } });
    const w = world({ cluster: { observe: () => errR(fail('auth', 'token expired')), events: () => okR(events) } });
    expect(await deploying(ctx(set, w, at(5)))).toMatchObject({
      to: 'rolling_back',
      reason: 'kubernetes watching the rollout failed: token expired (auth: final, not retried)',
    });
  });
});

describe('rolling_back: which answers are final', () => {
  const toGood: RollbackIntent = { mode: 'image', image: pinned(0), toReleaseId: 'r-good', startedAt: iso(0) };
  const failure = { reason: 'rollout failed', at: iso(0) };
  const intended = aRelease({ phase: 'rolling_back', outcome: { failure }, progress: { rollbackIntent: toGood } });
  const started = aRelease({ phase: 'rolling_back', outcome: { failure }, progress: { rollbackIntent: toGood, rollbackSetAt: iso(0) } });

  it('a conflict on setting the image back, or a rate limit while watching, is asked again', async () => {
    const conflict = world({ cluster: { setImage: () => errR(fail('conflict', 'modified')) } });
    expect(await rollingBack(ctx(intended, conflict, at(5)))).toMatchObject({ kind: 'wait', on: 'kubernetes', deadline: at(600) });
    const limited = world({ cluster: { observe: () => errR(fail('rate-limited', '429', { retryAfterMs: 3000 })) } });
    // retryUntil's backoff (at least the poll interval, half the time waited, at most 60 s), never sooner than Retry-After.
    expect(await rollingBack(ctx(started, limited, at(5)))).toMatchObject({ kind: 'wait', afterSeconds: 5 });
  });

  it('a final answer fails the rollback at once, loudly, and says it was final', async () => {
    const undo = aRelease({
      phase: 'rolling_back',
      outcome: { failure },
      progress: { rollbackIntent: { mode: 'undo', startedAt: iso(0) } },
    });
    const w = world({ cluster: { undo: () => errR(fail('not-found', 'no previous revision')) } });
    expect(await rollingBack(ctx(undo, w, at(5)))).toMatchObject({
      to: 'failed',
      reason:
        'ROLLBACK FAILED: could not undo: no previous revision (not-found: final, not retried); the failing release may still be running',
    });
    const forbidden = world({ cluster: { observe: () => errR(fail('auth', 'forbidden')) } });
    expect(await rollingBack(ctx(started, forbidden, at(5)))).toMatchObject({
      to: 'failed',
      reason: 'ROLLBACK FAILED: cannot observe the rollback: forbidden (auth: final, not retried)',
    });
  });
});

describe('pod events: evidence that was not readable when the release failed', () => {
  it('deploying records why the events are missing; rolling_back asks again while the rollback runs', async () => {
    const set = aRelease({ phase: 'deploying', progress: { deployIntent: intent, imageSetAt: iso(0) } });
    const flaky = world({
      cluster: {
        observe: () => okR(rolledOut(pinned(1), { podProblems: [{ pod: 'p', reason: 'CrashLoopBackOff' }] })),
        events: () => errR(fail('transient', 'EOF')),
      },
    });
    const failed = await deploying(ctx(set, flaky, at(20)));
    expect(failed).toMatchObject({ to: 'rolling_back', outcome: { failure: { eventsError: { kind: 'transient', message: 'EOF' } } } });
    const failure = failed.outcome?.failure;
    const rolling = aRelease({
      phase: 'rolling_back',
      outcome: { failure },
      progress: { rollbackIntent: { mode: 'undo', startedAt: iso(20) }, rollbackSetAt: iso(21) },
    });

    const stillFlaky = world({
      cluster: { observe: () => okR(rolledOut(pinned(0), { updatedReplicas: 1 })), events: () => errR(fail('transient', 'EOF again')) },
    });
    expect(await rollingBack(ctx(rolling, stillFlaky, at(25)))).toMatchObject({
      kind: 'wait',
      outcome: { failure: { reason: failure?.reason, eventsError: { kind: 'transient', message: 'EOF again' } } },
    });
    const readable = world({ cluster: { observe: () => okR(rolledOut(pinned(0), { updatedReplicas: 1 })), events: () => okR(events) } });
    const got = await rollingBack(ctx(rolling, readable, at(30)));
    expect(got.outcome?.failure).toEqual({ ...failure, eventsError: undefined, events });
    expect(readable.calls.find((c) => c.method === 'events')?.args).toEqual([W, 20]);
  });

  it('a final answer is recorded as final and not asked again', async () => {
    const failure = { reason: 'rollout failed', at: iso(0), eventsError: { kind: 'transient' as const, message: 'EOF' } };
    const rolling = aRelease({
      phase: 'rolling_back',
      outcome: { failure },
      progress: { rollbackIntent: { mode: 'undo', startedAt: iso(0) }, rollbackSetAt: iso(1) },
    });
    const w = world({ cluster: { observe: () => okR(rolledOut(pinned(0))), events: () => errR(fail('auth', 'events are forbidden')) } });
    const ended = await rollingBack(ctx(rolling, w, at(5)));
    expect(ended).toMatchObject({
      to: 'rolled_back',
      outcome: { failure: { eventsError: { kind: 'auth', message: 'events are forbidden (auth: final, not retried)' } } },
    });
    const after = aRelease({ ...rolling, outcome: { failure: ended.outcome?.failure } });
    const again = world({ cluster: { observe: () => okR(rolledOut(pinned(0))) } });
    await rollingBack(ctx(after, again, at(6)));
    expect(again.callsTo('cluster')).toEqual(['observe']);
  });
});
