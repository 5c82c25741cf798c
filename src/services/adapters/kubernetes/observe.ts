/** Turning what the API returns into the pipeline's RolloutObservation (pure, no I/O). */
import type { PodProblem, RolloutObservation } from '../../ports.js';
import type { Deployment, Pod, ReplicaSet } from './schema.js';

export const REVISION = 'deployment.kubernetes.io/revision';
export const HASH_LABEL = 'pod-template-hash';
/** `<release id>/<deploy|rollback>`: the fencing token of the deployer's last change (domain/writer.ts). */
export const WRITER = 'tailspin.dev/writer';
const WAITING_PROBLEMS = new Set([
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'CreateContainerConfigError',
  'CreateContainerError',
  'InvalidImageName',
]);
/** Restarts at which a terminated container counts as a problem even without a back-off reason. */
const RESTART_THRESHOLD = 3;

export const revisionOf = (o: { metadata: { annotations: Record<string, string> } }): number =>
  Number(o.metadata.annotations[REVISION] ?? 0) || 0;

/** The Deployment's current ReplicaSet: owned by it and carrying the same revision (what kubectl picks). */
export function newestReplicaSet(d: Deployment, sets: ReplicaSet[]): ReplicaSet | undefined {
  const owned = sets.filter((rs) =>
    rs.metadata.ownerReferences.some((o) => o.kind === 'Deployment' && (o.uid === d.metadata.uid || o.name === d.metadata.name)),
  );
  const rev = d.metadata.annotations[REVISION];
  return (
    owned.find((rs) => rev !== undefined && rs.metadata.annotations[REVISION] === rev) ??
    [...owned].sort((a, b) => revisionOf(b) - revisionOf(a))[0]
  );
}

export function containerImage(
  template: { spec: { containers: { name: string; image?: string | null }[] } },
  container: string,
): string | undefined {
  return template.spec.containers.find((c) => c.name === container)?.image ?? undefined;
}

export function podProblems(pods: Pod[]): PodProblem[] {
  const out: PodProblem[] = [];
  for (const pod of pods) {
    const name = pod.metadata.name;
    const unschedulable = pod.status?.conditions.find(
      (c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable',
    );
    if (unschedulable)
      out.push({ pod: name, reason: 'Unschedulable', ...(unschedulable.message ? { message: unschedulable.message } : {}) });
    for (const cs of pod.status?.containerStatuses ?? []) {
      const waiting = cs.state?.waiting;
      const terminated = cs.state?.terminated ?? cs.lastState?.terminated;
      if (waiting?.reason && WAITING_PROBLEMS.has(waiting.reason)) {
        out.push({
          pod: name,
          container: cs.name,
          reason: waiting.reason,
          restartCount: cs.restartCount,
          ...(waiting.message ? { message: waiting.message } : {}),
        });
      } else if (terminated && cs.restartCount >= RESTART_THRESHOLD) {
        out.push({
          pod: name,
          container: cs.name,
          reason: terminated.reason ?? 'Terminated',
          restartCount: cs.restartCount,
          ...(terminated.message ? { message: terminated.message } : {}),
        });
      }
    }
  }
  return out;
}

export function toObservation(d: Deployment, image: string, pods: Pod[]): RolloutObservation {
  const s = d.status;
  const revision = d.metadata.annotations[REVISION];
  return {
    generation: d.metadata.generation ?? 0,
    observedGeneration: s?.observedGeneration ?? 0,
    // spec.replicas defaults to 1 when unset (apps/v1 defaulting).
    desiredReplicas: d.spec.replicas ?? 1,
    replicas: s?.replicas ?? 0,
    updatedReplicas: s?.updatedReplicas ?? 0,
    readyReplicas: s?.readyReplicas ?? 0,
    availableReplicas: s?.availableReplicas ?? 0,
    unavailableReplicas: s?.unavailableReplicas ?? 0,
    conditions: (s?.conditions ?? []).map((c) => ({
      type: c.type,
      status: c.status,
      ...(c.reason ? { reason: c.reason } : {}),
      ...(c.message ? { message: c.message } : {}),
    })),
    image,
    ...(revision !== undefined ? { revision } : {}),
    ...(d.metadata.annotations[WRITER] ? { writer: d.metadata.annotations[WRITER] } : {}),
    annotations: d.metadata.annotations,
    podProblems: podProblems(pods),
  };
}
