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

export interface HealthReport {
  status: 'up' | 'degraded' | 'down';
  version: string;
  uptimeSeconds: number;
  dependencies: DependencyHealth[];
}

export interface HealthService {
  check(): Promise<HealthReport>;
}

export function createHealthService(probes: HealthProbe[], clock: Clock, version: string, timeoutMs = 3000): HealthService {
  const started = clock.now().getTime();
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
      const dependencies = await Promise.all(probes.map(one));
      const down = (required: boolean) => dependencies.some((d, i) => d.status === 'down' && probes[i]?.required === required);
      const status = down(true) ? 'down' : down(false) ? 'degraded' : 'up';
      return { status, version, uptimeSeconds: Math.round((clock.now().getTime() - started) / 1000), dependencies };
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
