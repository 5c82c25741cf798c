import { describe, expect, it } from 'vitest';
import { assessRollout } from '../../../src/services/pipeline/assess.js';
import type { RolloutObservation } from '../../../src/services/ports.js';

const IMG = 'tailspinacr.azurecr.io/tailspin-server@sha256:' + 'a'.repeat(64);
const obs = (o: Partial<RolloutObservation> = {}): RolloutObservation => ({
  generation: 2,
  observedGeneration: 2,
  desiredReplicas: 2,
  replicas: 2,
  updatedReplicas: 2,
  readyReplicas: 2,
  availableReplicas: 2,
  unavailableReplicas: 0,
  conditions: [],
  image: IMG,
  annotations: {},
  podProblems: [],
  ...o,
});

describe('assessRollout (kubectl rollout status semantics)', () => {
  it.each([
    ['complete', obs(), { kind: 'complete' }],
    [
      'spec change not yet observed',
      obs({ observedGeneration: 1 }),
      { kind: 'progressing', detail: 'waiting for the deployment spec update to be observed' },
    ],
    ['updated < desired', obs({ updatedReplicas: 1 }), { kind: 'progressing', detail: '1 of 2 updated replicas' }],
    ['old replicas still there', obs({ replicas: 3 }), { kind: 'progressing', detail: '1 old replicas pending termination' }],
    ['not yet available', obs({ availableReplicas: 1 }), { kind: 'progressing', detail: '1 of 2 updated replicas available' }],
  ])('%s', (_n, o, expected) => expect(assessRollout(o, IMG)).toEqual(expected));

  it('ProgressDeadlineExceeded fails with the controller message', () => {
    const v = assessRollout(
      obs({
        availableReplicas: 1,
        conditions: [
          {
            type: 'Progressing',
            status: 'False',
            reason: 'ProgressDeadlineExceeded',
            message: 'ReplicaSet "x" has timed out progressing.',
          },
        ],
      }),
      IMG,
    );
    expect(v).toEqual({ kind: 'failed', reason: 'ProgressDeadlineExceeded: ReplicaSet "x" has timed out progressing.' });
  });
  it('fails early on CrashLoopBackOff and ImagePullBackOff, not on a pod that is merely starting', () => {
    expect(
      assessRollout(obs({ availableReplicas: 1, podProblems: [{ pod: 'p', container: 'c', reason: 'CrashLoopBackOff' }] }), IMG).kind,
    ).toBe('failed');
    expect(assessRollout(obs({ availableReplicas: 1, podProblems: [{ pod: 'p', reason: 'ImagePullBackOff' }] }), IMG).kind).toBe('failed');
    expect(assessRollout(obs({ availableReplicas: 1, podProblems: [{ pod: 'p', reason: 'ContainerCreating' }] }), IMG).kind).toBe(
      'progressing',
    );
  });
  it('fails when someone else changed the image mid-rollout', () => {
    expect(assessRollout(obs({ image: 'other' }), IMG)).toMatchObject({
      kind: 'failed',
      reason: expect.stringMatching(/changed by someone else/),
    });
  });
  it('a ReplicaFailure condition fails', () => {
    expect(
      assessRollout(
        obs({ conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'exceeded quota' }] }),
        IMG,
      ),
    ).toMatchObject({ kind: 'failed' });
  });
});

describe('which version verification counts', () => {
  it('follows the catalog: the image tag, the digest, or none', async () => {
    const { versionOf } = await import('../../../src/services/pipeline/steps/verifying.js');
    const { defaultCatalog } = await import('../../../src/services/domain/catalog.js');
    const app = defaultCatalog('o/r', 'main', ['dev']).apps[0]!;
    const r = {
      app: app.name,
      image: { registry: 'r.io', repository: 'x', digest: 'sha256:' + 'a'.repeat(64), tag: '1.2.3' },
    } as Parameters<typeof versionOf>[1];
    expect(versionOf(app, r)).toBeUndefined();
    expect(versionOf({ ...app, telemetryVersion: 'tag' }, r)).toBe('1.2.3');
    expect(versionOf({ ...app, telemetryVersion: 'digest' }, r)).toBe('sha256:' + 'a'.repeat(64));
    expect(versionOf({ ...app, name: 'other', telemetryVersion: 'tag' }, r)).toBeUndefined();
  });
});
