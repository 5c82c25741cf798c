import { describe, expect, it } from 'vitest';
import { deploying } from '../../../../src/services/pipeline/steps/deploying.js';
import type { Cluster } from '../../../../src/services/ports.js';
import type { AdapterError } from '../../../../src/services/domain/result.js';
import { aRelease, at, ctx, digest, errR, fail, iso, okR, pinned, rolledOut, world } from '../world.js';

const ID = 'r-test-000001';
const head = { app: 'tailspin-server', environment: 'dev', quarantined: [] };
const W = { namespace: 'tail-spin', deployment: 'tailspin-server', container: 'tailspin-server' };
const intent = { image: pinned(1), previousImage: pinned(0), previousRevision: '2', previousWriter: 'r-prev/deploy' };
const fresh = aRelease({ phase: 'deploying' });
const intended = aRelease({ phase: 'deploying', progress: { deployIntent: intent } });
const set = aRelease({ phase: 'deploying', progress: { deployIntent: intent, imageSetAt: iso(0), imageChanged: true } });
const events = [{ involvedObject: 'Pod/x', type: 'Warning', reason: 'BackOff', message: 'back-off restarting' }];
const withCluster = (c: Partial<Cluster>) => world({ cluster: { events: () => okR(events), ...c } });
const down: AdapterError = fail('transient', 'connection refused');

describe('deploying: intent', () => {
  it('records what it will do and what runs now before touching the Deployment', async () => {
    const w = withCluster({ observe: () => okR(rolledOut(pinned(0), { revision: '2', writer: 'r-prev/deploy' })) });
    expect(await deploying(ctx(fresh, w))).toEqual({ kind: 'continue', progress: { deployIntent: intent } });
    expect(w.callsTo('cluster')).toEqual(['observe']);
  });

  it('a release without a digest (manual rollback) intends an undo', async () => {
    const w = withCluster({ observe: () => okR(rolledOut(pinned(0), { revision: '2' })) });
    expect(await deploying(ctx(aRelease({ phase: 'deploying', kind: 'rollback', image: undefined }), w))).toEqual({
      kind: 'continue',
      // A Deployment the deployer never changed has no writer: the undo may follow only that.
      progress: { deployIntent: { undo: true, previousImage: pinned(0), previousRevision: '2', previousWriter: '' } },
    });
  });

  it('retries an unreachable cluster until the rollout deadline, then blocks with nothing changed', async () => {
    const w = withCluster({ observe: () => errR(down) });
    expect(await deploying(ctx(fresh, w, at(30)))).toEqual({
      kind: 'wait',
      on: 'kubernetes',
      for: 'kubernetes: reading the Deployment (connection refused)',
      deadline: at(600),
      afterSeconds: 5,
    });
    expect(await deploying(ctx(fresh, w, at(600)))).toEqual({
      kind: 'advance',
      to: 'blocked',
      reason: 'kubernetes reading the Deployment failed: connection refused; nothing was changed',
      head: { ...head, lastBlocked: { releaseId: ID, target: digest(1) } },
    });
  });

  it('a release for an app missing from the catalog fails', async () => {
    expect(await deploying(ctx(aRelease({ phase: 'deploying', app: 'gone' }), world()))).toMatchObject({
      to: 'failed',
      reason: 'no catalog entry for gone',
    });
  });
});

describe('deploying: the change', () => {
  it('sets the pinned image with annotations naming the release, then looks again after the poll interval', async () => {
    const w = withCluster({ setImage: () => okR({ changed: true }) });
    expect(await deploying(ctx(intended, w, at(3)))).toEqual({
      kind: 'continue',
      afterSeconds: 5,
      progress: { imageSetAt: iso(3), imageChanged: true, deployIntent: intent },
    });
    expect(w.calls[0]?.args).toEqual([
      W,
      pinned(1),
      {
        releaseId: ID,
        step: 'deploy',
        commit: aRelease().commit,
        sourceEvent: 'acr:evt-1',
        changeCause: `tailspin-deployer ${ID}: deploy ${pinned(1)}`,
      },
      // Fenced: only over the writer seen when the intent was recorded.
      { self: `${ID}/deploy`, after: ['r-prev/deploy'] },
    ]);
  });

  it('an undo records the image it restored', async () => {
    const undo = aRelease({ phase: 'deploying', kind: 'rollback', image: undefined, progress: { deployIntent: { undo: true } } });
    const w = withCluster({ undo: () => okR({ image: pinned(0), changed: true }) });
    expect(await deploying(ctx(undo, w))).toEqual({
      kind: 'continue',
      afterSeconds: 5,
      progress: { imageSetAt: iso(0), imageChanged: true, deployIntent: { undo: true, image: pinned(0) } },
    });
  });

  it('an undo with no previous revision fails', async () => {
    const undo = aRelease({ phase: 'deploying', kind: 'rollback', image: undefined, progress: { deployIntent: { undo: true } } });
    const w = withCluster({ undo: () => errR(fail('not-found', 'no revision')) });
    expect(await deploying(ctx(undo, w))).toMatchObject({
      to: 'failed',
      reason: 'nothing to roll back to: the Deployment has no previous revision',
    });
  });

  it('a refused change blocks at once: nothing was changed', async () => {
    const w = withCluster({ setImage: () => errR(fail('auth', 'forbidden')) });
    expect(await deploying(ctx(intended, w))).toMatchObject({
      to: 'blocked',
      reason: 'kubernetes setting the image failed: forbidden (auth: final, not retried); nothing was changed',
    });
  });
});

describe('deploying: the rollout', () => {
  it('a complete rollout goes to verifying with the replica counts', async () => {
    const w = withCluster({ observe: () => okR(rolledOut(pinned(1))) });
    expect(await deploying(ctx(set, w, at(20)))).toEqual({
      kind: 'advance',
      to: 'verifying',
      reason: 'rollout complete (revision 3, 2/2 available)',
      progress: { rolloutCompleteAt: iso(20) },
      outcome: { rollout: { revision: '3', replicas: 2, ready: 2, available: 2 } },
    });
  });

  it('waits on the rollout while it progresses, until the rollout deadline after the image was set', async () => {
    const obs = rolledOut(pinned(1), { updatedReplicas: 1, availableReplicas: 1, readyReplicas: 1 });
    const w = withCluster({ observe: () => okR(obs) });
    expect(await deploying(ctx(set, w, at(20)))).toEqual({
      kind: 'wait',
      on: 'rollout',
      for: 'rollout: 1 of 2 updated replicas',
      deadline: at(600),
      afterSeconds: 5,
      outcome: { rollout: { revision: '3', replicas: 2, ready: 1, available: 1 } },
    });
    expect(await deploying(ctx(set, w, at(601)))).toEqual({
      kind: 'advance',
      to: 'rolling_back',
      reason: 'rollout did not complete within 600 s: 1 of 2 updated replicas',
      outcome: {
        failure: {
          reason: 'rollout did not complete within 600 s: 1 of 2 updated replicas',
          at: iso(601),
          rollout: { revision: '3', replicas: 2, ready: 1, available: 1 },
          events,
        },
      },
    });
  });

  it('a crash-looping pod rolls back at once, with the pod problems and events as evidence', async () => {
    const podProblems = [{ pod: 'tailspin-server-abc', container: 'tailspin-server', reason: 'CrashLoopBackOff', restartCount: 4 }];
    const w = withCluster({ observe: () => okR(rolledOut(pinned(1), { podProblems, availableReplicas: 1 })) });
    const reason = 'rollout failed: pod tailspin-server-abc container tailspin-server is in CrashLoopBackOff';
    expect(await deploying(ctx(set, w, at(20)))).toEqual({
      kind: 'advance',
      to: 'rolling_back',
      reason,
      outcome: {
        failure: { reason, at: iso(20), rollout: { revision: '3', replicas: 2, ready: 2, available: 1 }, podProblems, events },
      },
    });
  });

  it('after the image was set, an unreachable cluster is retried until the deadline, then rolled back', async () => {
    const w = world({ cluster: { observe: () => errR(down), events: () => errR(down) } });
    expect(await deploying(ctx(set, w, at(599)))).toMatchObject({
      kind: 'wait',
      on: 'kubernetes',
      for: 'kubernetes: watching the rollout (connection refused)',
    });
    expect(await deploying(ctx(set, w, at(600)))).toEqual({
      kind: 'advance',
      to: 'rolling_back',
      reason: 'kubernetes watching the rollout failed: connection refused',
      outcome: {
        failure: {
          reason: 'kubernetes watching the rollout failed: connection refused',
          at: iso(600),
          eventsError: { kind: 'transient', message: 'connection refused' },
        },
      },
    });
  });
});
