/** Liveness of the deployer and reachability of each dependency, checked concurrently with a timeout. */
import type { Result } from './domain/result.js';
import type { Clock } from './ports.js';

export interface HealthProbe {
  name: string;
  /** A dependency that is not configured is reported as such, not as down. */
  configured: boolean;
  /** Required dependencies make the deployer "down" when unreachable; optional ones "degraded". */
  required: boolean;
  check(): Promise<Result<unknown>>;
}

export interface DependencyHealth {
  name: string;
  status: 'up' | 'down' | 'not-configured';
  latencyMs?: number;
  error?: string;
}

/** Ended releases whose notices GitHub has not taken yet (retried until NOTIFY_DEADLINE_HOURS). */
export type NotificationBacklog = { pending: number; oldestSince?: string; oldestAgeSeconds?: number } | { error: string };

export interface HealthReport {
  status: 'up' | 'degraded' | 'down';
  version: string;
  uptimeSeconds: number;
  dependencies: DependencyHealth[];
  notifications?: NotificationBacklog;
}

export interface HealthOptions {
  timeoutMs?: number;
  /** How many ended releases still owe GitHub a notice, and since when. */
  backlog?: () => Promise<{ count: number; oldestSince?: string }>;
}

export interface HealthService {
  check(): Promise<HealthReport>;
}

export function createHealthService(probes: HealthProbe[], clock: Clock, version: string, opts: HealthOptions = {}): HealthService {
  const timeoutMs = opts.timeoutMs ?? 3000;
  const started = clock.now().getTime();
  const backlog = async (read: NonNullable<HealthOptions['backlog']>): Promise<NotificationBacklog> => {
    try {
      const b = await withTimeout(read(), timeoutMs);
      if (!b.oldestSince) return { pending: b.count };
      const age = Math.max(0, Math.round((clock.now().getTime() - new Date(b.oldestSince).getTime()) / 1000));
      return { pending: b.count, oldestSince: b.oldestSince, oldestAgeSeconds: age };
    } catch (e) {
      return { error: e instanceof Error ? e.message : String(e) };
    }
  };
  const one = async (p: HealthProbe): Promise<DependencyHealth> => {
    if (!p.configured) return { name: p.name, status: 'not-configured' };
    const t0 = performance.now();
    const res = await withTimeout(p.check(), timeoutMs).catch((e: unknown) => ({
      ok: false as const,
      error: { message: e instanceof Error ? e.message : String(e) },
    }));
    const latencyMs = Math.round(performance.now() - t0);
    return res.ok ? { name: p.name, status: 'up', latencyMs } : { name: p.name, status: 'down', latencyMs, error: res.error.message };
  };
  return {
    async check() {
      const [dependencies, notifications] = await Promise.all([
        Promise.all(probes.map(one)),
        opts.backlog ? backlog(opts.backlog) : undefined,
      ]);
      const down = (required: boolean) => dependencies.some((d, i) => d.status === 'down' && probes[i]?.required === required);
      const status = down(true) ? 'down' : down(false) ? 'degraded' : 'up';
      const uptimeSeconds = Math.round((clock.now().getTime() - started) / 1000);
      return { status, version, uptimeSeconds, dependencies, ...(notifications ? { notifications } : {}) };
    },
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
