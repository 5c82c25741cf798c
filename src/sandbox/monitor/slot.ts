/**
 * The Log Analytics query fake as a sandbox service for `npm start`, used unless a real workspace
 * is configured (LOG_ANALYTICS_WORKSPACE_ID). Both apps start healthy so a normal release passes
 * verification; the control API flips them into a bad release or a telemetry outage.
 */
import { randomBytes } from 'node:crypto';
import type { SandboxSlot } from '../slot.js';
import { startMonitorFake } from './fake.js';
import { analyzeKql } from './kusto-check.js';
import { TRAFFIC_MODES, type TrafficMode, type TrafficProfile } from './simulation.js';

/**
 * 20 rps, 0.2 % errors, P95 180 ms: well inside the 1 % / 2 s thresholds, and enough traffic for the
 * local 60 s window (about 1200 requests) to prove a release healthy; at 5 rps that takes ~5 minutes.
 */
export const HEALTHY: TrafficProfile = { rps: 20, errorRate: 0.002, p95Ms: 180 };
export const SANDBOX_ROLES = ['tailspin-server', 'tailspin-client'];

/**
 * SANDBOX_TRAFFIC picks the fake's traffic model (random | even), SANDBOX_TRAFFIC_SEED its seed.
 * Random by default: seeded Poisson arrivals, independent failures and lognormal latency, the
 * traffic the sequential rule is built to judge (a healthy app is not rolled back by one unlucky
 * sample). "even" gives exact numbers, for tests that assert them.
 */
export const SANDBOX_DEFAULT_TRAFFIC: TrafficMode = 'random';

export function sandboxTraffic(env: Record<string, string | undefined>): { mode: TrafficMode; seed?: string } {
  const raw = env.SANDBOX_TRAFFIC?.trim();
  if (raw && !(TRAFFIC_MODES as readonly string[]).includes(raw))
    throw new Error(`SANDBOX_TRAFFIC: expected ${TRAFFIC_MODES.join(' or ')}, got "${raw}"`);
  const seed = env.SANDBOX_TRAFFIC_SEED?.trim();
  return { mode: (raw as TrafficMode | undefined) || SANDBOX_DEFAULT_TRAFFIC, ...(seed ? { seed } : {}) };
}

export const monitorSlot: SandboxSlot = {
  name: 'log-analytics',
  realConfigured: (env) => Boolean(env.LOG_ANALYTICS_WORKSPACE_ID?.trim()),
  async start({ env }) {
    const token = randomBytes(24).toString('base64url');
    const traffic = sandboxTraffic(env);
    const fake = await startMonitorFake({ token, traffic: traffic.mode, ...(traffic.seed ? { seed: traffic.seed } : {}) });
    // Traffic since an hour ago, so windows before "now" are populated too.
    const since = new Date(Date.now() - 3600_000);
    for (const role of SANDBOX_ROLES) fake.setProfile(role, HEALTHY, since);
    // The Kusto service takes seconds to load and JIT; do it while the host is still idle rather
    // than inside the first verification query.
    let stopped = false;
    setTimeout(() => {
      if (!stopped) analyzeKql('AppRequests | take 0 | count');
    }, 50).unref();
    const ctl = `curl -sk ${fake.url}/_sandbox`;
    return {
      name: 'log-analytics',
      describe: [
        `Log Analytics query API fake: ${fake.endpoint} (workspace ${fake.workspaceId}); roles ${SANDBOX_ROLES.join(', ')} healthy (${HEALTHY.rps} rps, 0.2 % errors, P95 180 ms), ${traffic.mode} traffic (seed ${String(fake.simulation.traffic().seed)})`,
        `state:            ${ctl}`,
        `bad release:      ${ctl}/profile -d '{"role":"tailspin-server","rps":${HEALTHY.rps},"errorRate":0.05,"p95Ms":180}'   (or "p95Ms":3000 for latency; then deploy)`,
        `healthy again:    ${ctl}/profile -d '{"role":"tailspin-server","rps":${HEALTHY.rps},"errorRate":0.002,"p95Ms":180}'`,
        `no telemetry:     ${ctl}/outage -d '{"outage":"http500"}'   (also "partial", "timeout", "throttle"; "none" restores)`,
        `traffic model:    ${ctl}/traffic -d '{"mode":"random","seed":"42"}'   (Poisson arrivals, lognormal latency; "even" for exact numbers)`,
      ],
      settings: {
        LOG_ANALYTICS_WORKSPACE_ID: fake.workspaceId,
        MONITOR_LOGS_ENDPOINT: fake.endpoint,
        MONITOR_LOGS_CA_PEM: fake.ca,
        MONITOR_LOGS_STATIC_TOKEN: token,
      },
      handle: fake,
      stop: () => {
        stopped = true;
        return fake.stop();
      },
    };
  },
};
