/**
 * Pure verdicts: what an observation means, compared with limits. No I/O, no clocks read here;
 * the reconcile loop passes everything in (the argo-rollouts "assess" shape).
 */
import type { RolloutObservation, TelemetrySample } from '../ports.js';
import type { Measurements, Thresholds } from '../domain/observations.js';

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

export type TelemetryVerdict =
  | { kind: 'healthy'; m: Measurements }
  | { kind: 'breach'; m: Measurements; reasons: string[] }
  | { kind: 'inconclusive'; m: Measurements; reason: string };

export function measurements(s: TelemetrySample): Measurements {
  return { requests: s.requests, failures: s.failures, errorRate: s.requests > 0 ? s.failures / s.requests : null, p95Ms: s.p95Ms };
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

/**
 * The architecture's alert thresholds: error rate > 1% or P95 > 2 s fails. Breaches count even
 * with little traffic (a handful of 500s is already bad); a pass needs the minimum request count.
 */
export function assessTelemetry(s: TelemetrySample, t: Thresholds): TelemetryVerdict {
  const m = measurements(s);
  const reasons: string[] = [];
  if (m.errorRate !== null && m.errorRate > t.errorRateMax && s.failures > 0)
    reasons.push(`error rate ${pct(m.errorRate)} > ${pct(t.errorRateMax)} (${s.failures} of ${s.requests} requests failed)`);
  if (m.p95Ms !== null && m.p95Ms > t.p95MsMax) reasons.push(`P95 ${Math.round(m.p95Ms)} ms > ${t.p95MsMax} ms`);
  // Too few requests for a percentage to mean much: only a breach that is unambiguous counts.
  if (reasons.length > 0 && (s.requests >= t.minRequests || s.failures >= Math.ceil(t.minRequests * t.errorRateMax) + 2))
    return { kind: 'breach', m, reasons };
  if (s.requests < t.minRequests) return { kind: 'inconclusive', m, reason: `${s.requests} requests < minimum ${t.minRequests}` };
  return reasons.length > 0 ? { kind: 'breach', m, reasons } : { kind: 'healthy', m };
}
