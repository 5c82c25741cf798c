/**
 * The deployment controller's status computation (syncRolloutStatus / calculateStatus in
 * pkg/controller/deployment): replica counts summed over ReplicaSets, the Available condition, and
 * the Progressing condition with its progress deadline.
 */
import { omitZero, unavailableOf, type DeploymentSpec } from './spec.js';
import { rfc3339, type KObj } from './store.js';

export interface RolloutMemory {
  /** Last time the rollout made progress (ms); the deadline counts from here. */
  progressMs: number;
  reason?: { reason: string; message: string };
  last?: { updated: number; ready: number; available: number; old: number };
  conditions?: Record<string, Condition>;
}

interface Condition {
  type: string;
  status: string;
  lastUpdateTime: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export function deploymentStatus(
  d: KObj,
  newRS: KObj | undefined,
  all: KObj[],
  mem: RolloutMemory,
  ctx: { nowMs: number; timeScale: number; failure?: string },
): Record<string, unknown> {
  const spec = d.spec as unknown as DeploymentSpec;
  const desired = spec.replicas ?? 1;
  const sum = (f: string) => all.reduce((n, rs) => n + Number(rs.status?.[f] ?? 0), 0);
  const replicas = sum('replicas');
  const updated = Number(newRS?.status?.replicas ?? 0);
  const ready = sum('readyReplicas');
  const available = sum('availableReplicas');
  const snapshot = { updated, ready, available, old: replicas - updated };
  const last = mem.last;
  if (last && (updated > last.updated || ready > last.ready || available > last.available || snapshot.old < last.old)) {
    mem.progressMs = ctx.nowMs;
    mem.reason = { reason: 'ReplicaSetUpdated', message: `ReplicaSet "${newRS?.metadata.name}" is progressing.` };
  }
  mem.last = snapshot;
  const at = rfc3339(new Date(ctx.nowMs));
  // Like SetDeploymentCondition: a condition whose state stays keeps its times; only a progress
  // update (updateMs) moves lastUpdateTime of a condition that stays.
  const set = (type: string, status: string, reason: string, message: string, updateMs?: number): Condition => {
    const prev = mem.conditions?.[type];
    const sameState = prev && prev.status === status && prev.reason === reason && prev.message === message;
    const keep = sameState && (updateMs === undefined || updateMs <= Date.parse(prev.lastUpdateTime) + 999);
    const c: Condition = {
      type,
      status,
      lastUpdateTime: keep ? prev.lastUpdateTime : rfc3339(new Date(updateMs ?? ctx.nowMs)),
      lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : at,
      reason,
      message,
    };
    mem.conditions = { ...mem.conditions, [type]: c };
    return c;
  };
  const minAvailable = desired - unavailableOf(spec);
  const availableCond =
    available >= minAvailable
      ? set('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.')
      : set('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.');
  const complete = updated === desired && replicas === desired && available === desired;
  const deadlineMs = (spec.progressDeadlineSeconds ?? 600) * 1000 * ctx.timeScale;
  const rsName = newRS?.metadata.name ?? '';
  let progressing: Condition;
  if (complete)
    progressing = set(
      'Progressing',
      'True',
      'NewReplicaSetAvailable',
      `ReplicaSet "${rsName}" has successfully progressed.`,
      mem.progressMs,
    );
  else if (ctx.nowMs - mem.progressMs > deadlineMs)
    progressing = set('Progressing', 'False', 'ProgressDeadlineExceeded', `ReplicaSet "${rsName}" has timed out progressing.`);
  else {
    const r = mem.reason ?? { reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rsName}" is progressing.` };
    progressing = set('Progressing', 'True', r.reason, r.message, mem.progressMs);
  }
  const conditions: Condition[] = [availableCond, progressing];
  if (ctx.failure) conditions.push(set('ReplicaFailure', 'True', 'FailedCreate', ctx.failure));
  else if (mem.conditions?.ReplicaFailure) delete mem.conditions.ReplicaFailure;
  return {
    observedGeneration: d.metadata.generation,
    ...omitZero({
      replicas,
      updatedReplicas: updated,
      readyReplicas: ready,
      availableReplicas: available,
      unavailableReplicas: Math.max(0, desired - available),
    }),
    conditions,
  };
}
