/**
 * The Log Analytics query fake as a sandbox service for `npm start`, used unless a real workspace
 * is configured (LOG_ANALYTICS_WORKSPACE_ID). Both apps start healthy so a normal release passes
 * verification; the control API flips them into a bad release or a telemetry outage.
 */
import { randomBytes } from 'node:crypto';
import type { SandboxSlot } from '../slot.js';
import { startMonitorFake } from './fake.js';
import { analyzeKql } from './kusto-check.js';
import type { TrafficProfile } from './simulation.js';

/** 5 rps, 0.2 % errors, P95 180 ms: well inside the 1 % / 2 s thresholds and above 50 requests in 5 min. */
export const HEALTHY: TrafficProfile = { rps: 5, errorRate: 0.002, p95Ms: 180 };
export const SANDBOX_ROLES = ['tailspin-server', 'tailspin-client'];

export const monitorSlot: SandboxSlot = {
  name: 'log-analytics',
  realConfigured: (env) => Boolean(env.LOG_ANALYTICS_WORKSPACE_ID?.trim()),
  async start() {
    const token = randomBytes(24).toString('base64url');
    const fake = await startMonitorFake({ token });
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
        `Log Analytics query API fake: ${fake.endpoint} (workspace ${fake.workspaceId}); roles ${SANDBOX_ROLES.join(', ')} healthy (5 rps, 0.2 % errors, P95 180 ms)`,
        `state:            ${ctl}`,
        `bad release:      ${ctl}/profile -d '{"role":"tailspin-server","rps":5,"errorRate":0.05,"p95Ms":180}'   (or "p95Ms":2500 for latency)`,
        `healthy again:    ${ctl}/profile -d '{"role":"tailspin-server","rps":5,"errorRate":0.002,"p95Ms":180}'`,
        `no telemetry:     ${ctl}/outage -d '{"outage":"http500"}'   (also "partial", "timeout", "throttle"; "none" restores)`,
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
