import { describe, expect, it } from 'vitest';
import { rollingBack } from '../../../../src/services/pipeline/steps/rolling-back.js';
import type { Cluster } from '../../../../src/services/ports.js';
import type { RollbackIntent } from '../../../../src/services/domain/release.js';
import { REGISTRY, aRelease, at, ctx, digest, errR, fail, iso, okR, pinned, rolledOut, world, type WorldScript } from '../world.js';

const ID = 'r-test-000001';
const failure = { reason: 'telemetry breach: error rate 5.00% > 1.00%', at: iso(0) };
const base = { phase: 'rolling_back' as const, outcome: { failure } };
const lastGood = {
  releaseId: 'r-good',
  target: digest(0),
  image: { registry: REGISTRY, repository: 'tailspin-server', digest: digest(0) },
};
const toGood: RollbackIntent = { mode: 'image', image: pinned(0), toReleaseId: 'r-good', startedAt: iso(0) };
const quarantined = { app: 'tailspin-server', environment: 'dev', quarantined: [{ digest: digest(1), releaseId: ID, at: iso(30) }] };
const started = (intent: RollbackIntent) => aRelease({ ...base, progress: { rollbackIntent: intent, rollbackSetAt: iso(0) } });
const withCluster = (cluster: Partial<Cluster>, s: WorldScript = {}) =>
  world({ cluster, heads: { 'tailspin-server/dev': { active: { releaseId: ID, target: digest(1) } } }, ...s });

describe('rolling_back: where to', () => {
  it('goes back to the last verified digest', async () => {
    const w = world({ heads: { 'tailspin-server/dev': { lastGood } } });
    expect(await rollingBack(ctx(aRelease(base), w))).toEqual({
      kind: 'continue',
      progress: { rollbackIntent: toGood },
      outcome: { rollback: { ...toGood, reason: failure.reason } },
    });
  });

  it('undoes to the previous revision when the last verified digest is the failing one, or there is none', async () => {
    const self = { ...lastGood, target: digest(1), image: { ...lastGood.image, digest: digest(1) } };
    const w = world({ heads: { 'tailspin-server/dev': { lastGood: self } } });
    expect(await rollingBack(ctx(aRelease(base), w))).toEqual({
      kind: 'continue',
      progress: { rollbackIntent: { mode: 'undo', startedAt: iso(0) } },
      outcome: { rollback: { mode: 'undo', startedAt: iso(0), reason: failure.reason } },
    });
    expect(await rollingBack(ctx(aRelease({ phase: 'rolling_back' }), world()))).toMatchObject({
      outcome: { rollback: { mode: 'undo', reason: 'verification failed' } },
    });
  });
});

describe('rolling_back: the change', () => {
  const intended = aRelease({ ...base, progress: { rollbackIntent: toGood } });

  it('sets the verified image back, annotated with why', async () => {
    const w = withCluster({ setImage: () => okR({ changed: true }) });
    expect(await rollingBack(ctx(intended, w, at(2)))).toEqual({
      kind: 'continue',
      afterSeconds: 5,
      progress: { rollbackSetAt: iso(2), rollbackIntent: toGood },
    });
    expect(w.calls[0]?.args[1]).toBe(pinned(0));
    expect(w.calls[0]?.args[2]).toMatchObject({ changeCause: `tailspin-deployer ${ID}: rollback of ${ID}: ${failure.reason}` });
  });

  it('an undo records the image it restored', async () => {
    const undo = aRelease({ ...base, progress: { rollbackIntent: { mode: 'undo', startedAt: iso(0) } } });
    const w = withCluster({ undo: () => okR({ image: pinned(0), changed: true }) });
    expect(await rollingBack(ctx(undo, w))).toEqual({
      kind: 'continue',
      afterSeconds: 5,
      progress: { rollbackSetAt: iso(0), rollbackIntent: { mode: 'undo', startedAt: iso(0), image: pinned(0) } },
    });
  });

  it('retries an unreachable cluster until the deadline, then fails loudly and quarantines the digest', async () => {
    const w = withCluster({ setImage: () => errR(fail('transient', 'timeout')) });
    expect(await rollingBack(ctx(intended, w, at(10)))).toEqual({
      kind: 'wait',
      on: 'kubernetes',
      for: 'kubernetes: starting the rollback (timeout)',
      deadline: at(600),
      afterSeconds: 5,
    });
    expect(await rollingBack(ctx(intended, w, at(600)))).toEqual({
      kind: 'advance',
      to: 'failed',
      reason: `ROLLBACK FAILED: could not set ${pinned(0)}: timeout; the failing release may still be running`,
      head: { ...quarantined, quarantined: [{ digest: digest(1), releaseId: ID, at: iso(600) }] },
    });
  });
});

describe('rolling_back: watching it', () => {
  it('ends rolled_back when the rollback rolled out, quarantining the failed digest', async () => {
    const w = withCluster({ observe: () => okR(rolledOut(pinned(0), { revision: '4' })) });
    expect(await rollingBack(ctx(started(toGood), w, at(30)))).toEqual({
      kind: 'advance',
      to: 'rolled_back',
      reason: `rolled back to release r-good (${pinned(0)}) because ${failure.reason}`,
      outcome: { rollback: { ...toGood, completedAt: iso(30), reason: failure.reason, revision: '4' } },
      head: quarantined,
    });
  });

  it('waits on the rollback rollout, and fails when it does not complete in time', async () => {
    const obs = rolledOut(pinned(0), { updatedReplicas: 1 });
    const w = withCluster({ observe: () => okR(obs) });
    expect(await rollingBack(ctx(started(toGood), w, at(30)))).toEqual({
      kind: 'wait',
      on: 'rollback',
      for: 'rollback rollout: 1 of 2 updated replicas',
      deadline: at(600),
      afterSeconds: 5,
    });
    expect(await rollingBack(ctx(started(toGood), w, at(601)))).toEqual({
      kind: 'advance',
      to: 'failed',
      reason: `ROLLBACK FAILED: the rollback to release r-good (${pinned(0)}) did not roll out: not complete within 600 s: 1 of 2 updated replicas`,
      outcome: { rollbackFailure: { reason: 'not complete within 600 s: 1 of 2 updated replicas', podProblems: [] } },
      head: { ...quarantined, quarantined: [{ digest: digest(1), releaseId: ID, at: iso(601) }] },
    });
  });

  it('an undo that restored nothing known is judged against what runs', async () => {
    const w = withCluster({ observe: () => okR(rolledOut(pinned(5))) });
    expect(await rollingBack(ctx(started({ mode: 'undo', startedAt: iso(0) }), w, at(30)))).toMatchObject({
      to: 'rolled_back',
      reason: `rolled back to the previous revision (${pinned(5)}) because ${failure.reason}`,
    });
  });

  it('retries watching while the cluster is unreachable, then fails', async () => {
    const w = withCluster({ observe: () => errR(fail('transient', 'EOF')) });
    expect(await rollingBack(ctx(started(toGood), w, at(30)))).toMatchObject({
      kind: 'wait',
      on: 'kubernetes',
      for: 'kubernetes: watching the rollback (EOF)',
    });
    expect(await rollingBack(ctx(started(toGood), w, at(600)))).toMatchObject({
      to: 'failed',
      reason: 'ROLLBACK FAILED: cannot observe the rollback: EOF',
    });
  });

  it('an app missing from the catalog cannot be rolled back', async () => {
    expect(await rollingBack(ctx(aRelease({ ...base, app: 'gone' }), world()))).toMatchObject({
      to: 'failed',
      reason: 'rollback impossible: no catalog entry for gone',
    });
  });
});
