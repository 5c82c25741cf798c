/**
 * The sandbox slot as `npm start` uses it: its settings pass config validation, build the
 * production adapter, and the default profiles make a normal release's window healthy.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { monitorSlot, sandboxTraffic } from '../../../src/sandbox/monitor/slot.js';
import { loadConfig } from '../../../src/services/config.js';
import { createTelemetryFromConfig } from '../../../src/services/adapters/monitor/index.js';
import type { SandboxService } from '../../../src/local/sandbox-slot.js';

let svc: SandboxService;
beforeAll(async () => {
  // Even traffic: this file asserts exact numbers (the default is random).
  svc = await monitorSlot.start({ root: process.cwd(), env: { SANDBOX_TRAFFIC: 'even' } });
}, 60_000);
afterAll(() => svc.stop());

it('is skipped when a real workspace is configured', () => {
  expect(monitorSlot.realConfigured({ LOG_ANALYTICS_WORKSPACE_ID: 'f3c9…' })).toBe(true);
  expect(monitorSlot.realConfigured({ LOG_ANALYTICS_WORKSPACE_ID: '' })).toBe(false);
});

it('points the adapter at the fake: healthy defaults for both apps, over HTTPS with the sandbox CA and token', async () => {
  expect(Object.keys(svc.settings).sort()).toEqual([
    'LOG_ANALYTICS_WORKSPACE_ID',
    'MONITOR_LOGS_CA_PEM',
    'MONITOR_LOGS_ENDPOINT',
    'MONITOR_LOGS_STATIC_TOKEN',
  ]);
  expect(svc.settings.MONITOR_LOGS_ENDPOINT).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v1$/);
  const config = loadConfig({
    AzureWebJobsStorage: 'UseDevelopmentStorage=true',
    GITHUB_WEBHOOK_SECRET: 'a-local-secret-of-16+',
    ...svc.settings,
  });
  const telemetry = createTelemetryFromConfig(config, {});
  expect(telemetry).toBeDefined();
  const to = new Date();
  const from = new Date(to.getTime() - 300_000);
  for (const roleName of ['tailspin-server', 'tailspin-client']) {
    expect(await telemetry!.requests({ roleName, version: 'sha256:0123', from, to })).toEqual({
      ok: true,
      value: { requests: 6000, failures: 12, p95Ms: 180, retained: { requests: 6000, failures: 12 } },
    });
  }
  expect(svc.describe.join('\n')).toContain('/_sandbox/outage');
}, 60_000);

it('SANDBOX_TRAFFIC picks the traffic model (random unless set), SANDBOX_TRAFFIC_SEED its seed', () => {
  expect(sandboxTraffic({})).toEqual({ mode: 'random' });
  expect(sandboxTraffic({ SANDBOX_TRAFFIC: 'random', SANDBOX_TRAFFIC_SEED: '42' })).toEqual({ mode: 'random', seed: '42' });
  expect(() => sandboxTraffic({ SANDBOX_TRAFFIC: 'poisson' })).toThrow(/^SANDBOX_TRAFFIC: expected random or even/);
  expect(svc.describe.join('\n')).toContain('even traffic');
});
