/**
 * One local host of the scale-out storm, in its own process. STORM_ROLE=first starts azurite and
 * the sandbox (and makes every app's telemetry healthy); STORM_ROLE=sandbox does the same but does
 * no queue or timer work (the fakes and azurite apart from the hosts measured); any other role
 * joins with STORM_SHARED, the first host's storage and sandbox settings (src/local/cluster.ts).
 * Prints one JSON line {url, shared?, azuritePid?} when ready; stops on SIGTERM.
 */
import { startLocalHost } from '../src/local/host.js';
import { sharedSettings } from '../src/local/cluster.js';
import { sandboxSlots } from '../src/sandbox/index.js';
import { HEALTHY } from '../src/sandbox/monitor/slot.js';
import type { MonitorFake } from '../src/sandbox/monitor/fake.js';
import { silentLogger } from '../src/services/logger.js';

const role = process.env.STORM_ROLE;
const first = role === 'first' || role === 'sandbox';
const env = JSON.parse(process.env.STORM_ENV ?? '{}') as Record<string, string>;
const shared = JSON.parse(process.env.STORM_SHARED ?? '{}') as Record<string, string>;
const apps = JSON.parse(process.env.STORM_APPS ?? '[]') as string[];
// STORM_QUEUE "batchSize/newBatchThreshold" (e.g. "16/8"): the queue batch settings to measure; else host.json's.
const [batchSize, newBatchThreshold] = (process.env.STORM_QUEUE ?? '').split('/').map(Number);
const host = await startLocalHost({
  root: process.env.STORM_ROOT ?? '.',
  env: { ...env, ...shared },
  port: 0,
  azuritePorts: 'random',
  slots: first ? sandboxSlots : [],
  queueIdleMs: 50,
  work: role !== 'sandbox',
  ...(batchSize !== undefined && newBatchThreshold !== undefined && !Number.isNaN(batchSize + newBatchThreshold)
    ? { queues: { batchSize, newBatchThreshold } }
    : {}),
  // STORM_LOG=1: the hosts' own logs (LOG_LEVEL of the storm's settings) on stderr, to find out why a run failed.
  overrides: process.env.STORM_LOG === '1' ? {} : { logger: silentLogger },
});
if (first) {
  const monitor = host.sandbox.find((s) => s.name === 'log-analytics')?.handle as MonitorFake;
  for (const app of apps) monitor.setProfile(app, HEALTHY, new Date(0));
}
process.stdout.write(
  `${JSON.stringify({ url: host.url.replace('localhost', '127.0.0.1'), ...(first ? { shared: sharedSettings(host), azuritePid: host.azurite?.pid } : {}) })}\n`,
);
const stop = () => {
  host.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
