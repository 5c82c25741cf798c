/**
 * What the world was seen to say (pods, cluster events, smoke checks, telemetry figures), as plain
 * values: the ports return them, releases keep them as evidence. Pure data, no I/O.
 */

export interface PodProblem {
  pod: string;
  container?: string;
  /** e.g. CrashLoopBackOff, ImagePullBackOff, ErrImagePull, Unschedulable */
  reason: string;
  message?: string;
  restartCount?: number;
}

export interface ClusterEvent {
  involvedObject: string;
  type: string;
  reason: string;
  message: string;
  count?: number;
  lastTimestamp?: string;
}

export interface SmokeResult {
  check: string;
  ok: boolean;
  status?: number;
  durationMs: number;
  detail?: string;
}

export interface Thresholds {
  errorRateMax: number;
  p95MsMax: number;
  minRequests: number;
}

export interface Measurements {
  requests: number;
  failures: number;
  errorRate: number | null;
  p95Ms: number | null;
}
