/**
 * What the kubelet (kwok in the real control plane) does to a pod: the status it reports over
 * time for each simulated behaviour, and the events it records.
 */
import type { Emit } from './events.js';
import { rfc3339, type KObj } from './store.js';

export type PodBehaviour = 'ready' | 'unready' | 'crash' | 'imagepull' | 'unschedulable';
export const POD_BEHAVIOURS: PodBehaviour[] = ['ready', 'unready', 'crash', 'imagepull', 'unschedulable'];

interface Container {
  name: string;
  image: string;
}

export interface PodClock {
  nowMs: number;
  readyDelayMs: number;
  crashIntervalMs: number;
}

/** Sim bookkeeping per pod uid: what the kubelet already did. */
export interface PodSim {
  createdMs: number;
  startedMs?: number;
  readySinceMs?: number;
  restarts: number;
  lastRestartMs?: number;
  /** The kubelet's last back-off on an image pull: it retries (and records events) once per crash interval. */
  lastPullMs?: number;
}

const cond = (type: string, status: string, at: string, reason?: string, message?: string) => ({
  type,
  status,
  lastProbeTime: null,
  lastTransitionTime: at,
  ...(reason ? { reason } : {}),
  ...(message ? { message } : {}),
});

/** Advance one pod; returns its new status (the caller persists it if it changed). */
export function stepPod(pod: KObj, behaviour: PodBehaviour, sim: PodSim, c: PodClock, emit: Emit): Record<string, unknown> {
  const containers = ((pod.spec?.containers ?? []) as Container[]).map((x) => ({ name: x.name, image: x.image }));
  const old = pod.status ?? {};
  const since = (ms: number | undefined) => rfc3339(new Date(ms ?? c.nowMs));
  const created = since(sim.createdMs);
  if (behaviour === 'unschedulable') {
    if (!old.conditions) {
      emit(
        pod,
        'Warning',
        'FailedScheduling',
        '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
        'default-scheduler',
      );
    }
    return {
      phase: 'Pending',
      conditions: [
        cond(
          'PodScheduled',
          'False',
          created,
          'Unschedulable',
          '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
        ),
      ],
      qosClass: 'Burstable',
    };
  }
  if (!old.conditions)
    emit(
      pod,
      'Normal',
      'Scheduled',
      `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${String(pod.spec?.nodeName)}`,
      'default-scheduler',
    );
  const pending = c.nowMs - sim.createdMs < c.readyDelayMs;
  const base = { hostIP: '127.0.0.1', startTime: created, qosClass: 'Burstable' };
  const notReady = (at: string, msg: string) => [
    cond('PodReadyToStartContainers', 'True', at),
    cond('Initialized', 'True', created),
    cond('Ready', 'False', at, 'ContainersNotReady', msg),
    cond('ContainersReady', 'False', at, 'ContainersNotReady', msg),
    cond('PodScheduled', 'True', created),
  ];
  if (pending || behaviour === 'imagepull') {
    const names = containers.map((x) => x.name).join(' ');
    // A Pending pod whose containers all wait for the same kind of reason.
    const waitingPod = (waiting: (x: (typeof containers)[number]) => { reason: string; message?: string }) => ({
      ...base,
      phase: 'Pending',
      conditions: notReady(created, `containers with unready status: [${names}]`),
      containerStatuses: containers.map((x) => ({
        ...x,
        imageID: '',
        ready: false,
        restartCount: 0,
        started: false,
        state: { waiting: waiting(x) },
      })),
    });
    if (behaviour === 'imagepull' && !pending) {
      const backoff = old.phase === 'Pending' && sim.startedMs !== undefined;
      if (!backoff) {
        sim.startedMs = c.nowMs;
        for (const x of containers) {
          emit(pod, 'Normal', 'Pulling', `Pulling image "${x.image}"`, 'kubelet');
          emit(
            pod,
            'Warning',
            'Failed',
            `Failed to pull image "${x.image}": rpc error: code = NotFound desc = failed to pull and unpack image "${x.image}": not found`,
            'kubelet',
          );
          emit(pod, 'Warning', 'Failed', 'Error: ErrImagePull', 'kubelet');
        }
      } else if (sim.lastPullMs === undefined || c.nowMs - sim.lastPullMs >= c.crashIntervalMs) {
        sim.lastPullMs = c.nowMs;
        for (const x of containers) emit(pod, 'Normal', 'BackOff', `Back-off pulling image "${x.image}"`, 'kubelet');
        for (const _x of containers) emit(pod, 'Warning', 'Failed', 'Error: ImagePullBackOff', 'kubelet');
      }
      const reason = backoff ? 'ImagePullBackOff' : 'ErrImagePull';
      return waitingPod((x) => ({
        reason,
        message: backoff
          ? `Back-off pulling image "${x.image}"`
          : `rpc error: code = NotFound desc = failed to pull and unpack image "${x.image}": not found`,
      }));
    }
    return waitingPod(() => ({ reason: 'ContainerCreating' }));
  }
  if (sim.startedMs === undefined) {
    sim.startedMs = c.nowMs;
    for (const x of containers) {
      emit(pod, 'Normal', 'Pulled', `Container image "${x.image}" already present on machine`, 'kubelet');
      emit(pod, 'Normal', 'Created', `Created container: ${x.name}`, 'kubelet');
      emit(pod, 'Normal', 'Started', `Started container ${x.name}`, 'kubelet');
    }
  }
  const started = since(sim.startedMs);
  if (behaviour === 'crash') {
    if (sim.lastRestartMs === undefined || c.nowMs - sim.lastRestartMs >= c.crashIntervalMs) {
      sim.restarts += 1;
      sim.lastRestartMs = c.nowMs;
      for (const x of containers) {
        emit(
          pod,
          'Warning',
          'BackOff',
          `Back-off restarting failed container ${x.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
          'kubelet',
        );
      }
    }
    return {
      ...base,
      phase: 'Running',
      conditions: notReady(started, `containers with unready status: [${containers.map((x) => x.name).join(' ')}]`),
      containerStatuses: containers.map((x) => ({
        ...x,
        imageID: x.image,
        ready: false,
        started: false,
        restartCount: sim.restarts,
        lastState: {
          terminated: { exitCode: 1, reason: 'Error', startedAt: since(sim.lastRestartMs), finishedAt: since(sim.lastRestartMs) },
        },
        state: {
          waiting: {
            reason: 'CrashLoopBackOff',
            message: `back-off 10s restarting failed container=${x.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
          },
        },
      })),
    };
  }
  const ready = behaviour === 'ready';
  if (ready) sim.readySinceMs ??= c.nowMs;
  const readyAt = since(sim.readySinceMs);
  return {
    ...base,
    phase: 'Running',
    conditions: ready
      ? [
          cond('PodReadyToStartContainers', 'True', started),
          cond('Initialized', 'True', created),
          cond('Ready', 'True', readyAt),
          cond('ContainersReady', 'True', readyAt),
          cond('PodScheduled', 'True', created),
        ]
      : notReady(started, `containers with unready status: [${containers.map((x) => x.name).join(' ')}]`),
    containerStatuses: containers.map((x) => ({
      ...x,
      imageID: x.image,
      ready,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: started } },
    })),
  };
}
