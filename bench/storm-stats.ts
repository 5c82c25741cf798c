/**
 * What one storm host did, counted inside its process at no cost to the run: pipeline ticks and
 * timer invocations (by wrapping the registered handlers), log lines by message (CAS conflicts,
 * sweeper re-drives, transitions — the logger is the host's own, so nothing is printed), and
 * outgoing HTTP requests by destination (storage table/queue, the sandbox fakes) through Node's
 * `http.client.request.start` diagnostics channel, which sees every request the Azure SDK makes.
 */
import dc from 'node:diagnostics_channel';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ClientRequest } from 'node:http';
import type { LogFields, Logger } from '../src/services/ports.js';
import type { Registrations } from '../src/local/host.js';

export interface HostStats {
  /** Invocations per queue function and timer, and their summed wall time in ms. */
  invocations: Record<string, { count: number; ms: number; failed: number }>;
  /** Log lines by "level message" (static messages; data is in fields). */
  logs: Record<string, number>;
  /** Summed time from request start to response finish, in ms, by the same destination key as `requests`. */
  requestMs: Record<string, number>;
  /** The event loop's delay (ms): how long a ready callback waited for this process to get the CPU. */
  loopDelayMs: { p50: number; p99: number; max: number };
  /** Outgoing HTTP requests by destination: "table GET", "queue GET messages" (a poll)… or host:port (the fakes). */
  requests: Record<string, number>;
}

export function countingLogger(logs: Record<string, number>): Logger {
  const make = (): Logger => {
    const at =
      (level: string) =>
      (message: string, _fields?: LogFields): void => {
        const key = `${level} ${message}`;
        logs[key] = (logs[key] ?? 0) + 1;
      };
    return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => make() };
  };
  return make();
}

/** Storage ports from a connection string: which outgoing requests are table, queue or blob. */
function storagePorts(connection: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const kind of ['Table', 'Queue', 'Blob']) {
    const url = new RegExp(`${kind}Endpoint=([^;]+)`).exec(connection)?.[1];
    if (url) out.set(new URL(url).host, kind.toLowerCase());
  }
  return out;
}

export function startStats(
  connection: string,
  logs: Record<string, number>,
): { stats: HostStats; wrap(r: Registrations): void; resetLoopDelay(): void } {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const stats: HostStats = {
    invocations: {},
    logs,
    requests: {},
    requestMs: {},
    get loopDelayMs() {
      const ms = (ns: number) => Math.round(ns / 1e5) / 10;
      return { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) };
    },
  };
  const ports = storagePorts(connection);
  const started = new WeakMap<ClientRequest, { to: string; at: number }>();
  dc.subscribe('http.client.response.finish', (m) => {
    const req = (m as { request: ClientRequest }).request;
    const s = started.get(req);
    if (s) stats.requestMs[s.to] = (stats.requestMs[s.to] ?? 0) + performance.now() - s.at;
  });
  dc.subscribe('http.client.request.start', (m) => {
    const req = (m as { request: ClientRequest }).request;
    const host = String(req.getHeader('host') ?? req.host);
    const kind = ports.get(host);
    // Storage by service and what was asked (a queue poll is a GET of …/messages); the fakes by address.
    const to = kind ? `${kind} ${req.method}${kind === 'queue' && /\/messages(\?|$)/.test(req.path) ? ' messages' : ''}` : host;
    stats.requests[to] = (stats.requests[to] ?? 0) + 1;
    started.set(req, { to, at: performance.now() });
  });
  const timed =
    <A extends unknown[]>(name: string, handler: (...a: A) => unknown) =>
    async (...a: A): Promise<unknown> => {
      const s = (stats.invocations[name] ??= { count: 0, ms: 0, failed: 0 });
      const t0 = performance.now();
      s.count++;
      try {
        return await handler(...a);
      } catch (e) {
        s.failed++;
        throw e;
      } finally {
        s.ms += performance.now() - t0;
      }
    };
  return {
    stats,
    resetLoopDelay: () => loop.reset(),
    // The poller and the timers read `reg.handler` at each call, so wrapping after start counts every invocation.
    wrap(r) {
      for (const [name, reg] of r.queues) reg.handler = timed(name, reg.handler);
      for (const [name, reg] of r.timers) reg.handler = timed(name, reg.handler);
    },
  };
}
