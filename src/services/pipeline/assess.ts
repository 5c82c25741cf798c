/**
 * Pure verdicts: what an observation means, compared with limits. No I/O, no clocks read here;
 * the reconcile loop passes everything in (the argo-rollouts "assess" shape).
 */
import type { RolloutObservation } from '../ports.js';

export type RolloutVerdict = { kind: 'complete' } | { kind: 'progressing'; detail: string } | { kind: 'failed'; reason: string };

/** Pod states that will not heal by waiting: fail early instead of burning the whole deadline. */
const FATAL_POD_REASONS = new Set([
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
]);

/**
 * kubectl rollout status semantics (k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go),
 * plus the target image check and early failure on fatal pod states.
 */
export function assessRollout(o: RolloutObservation, targetImage: string | undefined): RolloutVerdict {
  if (targetImage && o.image !== targetImage) {
    return {
      kind: 'failed',
      reason: `the Deployment's image is ${o.image}, not ${targetImage}: it was changed by someone else during the rollout`,
    };
  }
  if (o.generation > o.observedGeneration) return { kind: 'progressing', detail: 'waiting for the deployment spec update to be observed' };
  const progressing = o.conditions.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return {
      kind: 'failed',
      reason: `ProgressDeadlineExceeded: ${progressing.message ?? 'the rollout did not progress within progressDeadlineSeconds'}`,
    };
  }
  const replicaFailure = o.conditions.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  if (replicaFailure)
    return { kind: 'failed', reason: `ReplicaFailure: ${replicaFailure.reason ?? ''} ${replicaFailure.message ?? ''}`.trim() };
  const fatal = o.podProblems.find((p) => FATAL_POD_REASONS.has(p.reason));
  if (fatal)
    return {
      kind: 'failed',
      reason: `pod ${fatal.pod}${fatal.container ? ` container ${fatal.container}` : ''} is in ${fatal.reason}${fatal.message ? `: ${fatal.message}` : ''}`,
    };

  const desired = o.desiredReplicas ?? o.replicas;
  if (o.updatedReplicas < desired) return { kind: 'progressing', detail: `${o.updatedReplicas} of ${desired} updated replicas` };
  if (o.replicas > o.updatedReplicas)
    return { kind: 'progressing', detail: `${o.replicas - o.updatedReplicas} old replicas pending termination` };
  if (o.availableReplicas < o.updatedReplicas)
    return { kind: 'progressing', detail: `${o.availableReplicas} of ${o.updatedReplicas} updated replicas available` };
  return { kind: 'complete' };
}
