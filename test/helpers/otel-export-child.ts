/**
 * Runs in its own Node process (test/integration/otel-azure-monitor.test.ts): the OpenTelemetry
 * adapter with the Azure Monitor exporters, pointed at a local HTTPS ingestion fake through the
 * connection string, authenticating with a fixed token. Prints the token scopes it was asked for.
 */
import { createOtel } from '../../src/services/adapters/otel/sdk.js';

const scopes: string[] = [];
const credential = {
  getToken(s: string | string[]) {
    scopes.push(...(Array.isArray(s) ? s : [s]));
    return Promise.resolve({ token: 'test-entra-token', expiresOnTimestamp: Date.now() + 3600_000 });
  },
};
const obs = await createOtel({
  serviceName: 'tailspin-deployer',
  environment: 'dev',
  version: '0.1.0',
  connectionString: process.env.TEST_CONNECTION_STRING!,
  credential,
  exportIntervalMs: 3_600_000,
});
const start = new Date('2026-12-01T10:00:00.000Z');
obs.count('tailspin.releases.completed', 1, { app: 'tailspin-server', environment: 'dev', kind: 'image', outcome: 'rolled_back' });
obs.record('tailspin.notifications.pending', 2, { app: 'tailspin-server', environment: 'dev', kind: 'image' });
obs.span({
  name: 'release tailspin-server',
  traceId: 'ab'.repeat(16),
  spanId: 'cd'.repeat(8),
  start,
  end: new Date(start.getTime() + 60_000),
  attributes: { 'release.id': 'r-1-abcdef', outcome: 'rolled_back' },
  error: true,
});
obs.span({
  name: 'phase deploying',
  traceId: 'ab'.repeat(16),
  spanId: 'ef'.repeat(8),
  parentSpanId: 'cd'.repeat(8),
  start,
  end: new Date(start.getTime() + 30_000),
  attributes: { phase: 'deploying' },
});
await obs.flush();
console.log(JSON.stringify({ scopes }));
