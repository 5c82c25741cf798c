/**
 * One local host of the scale-out storm, in its own process. STORM_ROLE=first starts azurite and
 * the sandbox (and makes every app's telemetry healthy); STORM_ROLE=sandbox does the same but does
 * no queue or timer work (the fakes and azurite apart from the hosts measured); any other role
 * joins with STORM_SHARED, the first host's storage and sandbox settings (src/local/cluster.ts).
 * Prints one JSON line {url, statsUrl, shared?, azuritePid?} when ready (statsUrl answers what the
 * host did: bench/storm-stats.ts); stops on SIGTERM.
 */
import { startLocalHost } from '../src/local/host.js';
import { sharedSettings } from '../src/local/cluster.js';
import { sandboxSlots } from '../src/sandbox/index.js';
import { HEALTHY } from '../src/sandbox/monitor/slot.js';
import type { MonitorFake } from '../src/sandbox/monitor/fake.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { countingLogger, startStats } from './storm-stats.js';

const role = process.env.STORM_ROLE;
const first = role === 'first' || role === 'sandbox';
const env = JSON.parse(process.env.STORM_ENV ?? '{}') as Record<string, string>;
const shared = JSON.parse(process.env.STORM_SHARED ?? '{}') as Record<string, string>;
const apps = JSON.parse(process.env.STORM_APPS ?? '[]') as string[];
// STORM_QUEUE "batchSize/newBatchThreshold" (e.g. "16/8"): the queue batch settings to measure; else host.json's.
const [batchSize, newBatchThreshold] = (process.env.STORM_QUEUE ?? '').split('/').map(Number);
const logs: Record<string, number> = {};
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
  overrides: process.env.STORM_LOG === '1' ? {} : { logger: countingLogger(logs) },
});
const counted = startStats(host.config.AzureWebJobsStorage ?? '', logs);
counted.wrap(host.registrations);
// What this host did so far (bench/storm-stats.ts), on a port of its own so asking never touches the host measured.
// GET /reset starts the event-loop delay afresh (at the start of the storm), then answers as GET /.
const statsServer = createServer((req, res) => {
  if (req.url === '/reset') counted.resetLoopDelay();
  res.setHeader('content-type', 'application/json').end(JSON.stringify(counted.stats));
});
await new Promise<void>((resolve) => statsServer.listen(0, '127.0.0.1', resolve));
const statsUrl = `http://127.0.0.1:${(statsServer.address() as AddressInfo).port}`;
if (first) {
  const monitor = host.sandbox.find((s) => s.name === 'log-analytics')?.handle as MonitorFake;
  for (const app of apps) monitor.setProfile(app, HEALTHY, new Date(0));
}
process.stdout.write(
  `${JSON.stringify({ url: host.url.replace('localhost', '127.0.0.1'), statsUrl, ...(first ? { shared: sharedSettings(host), azuritePid: host.azurite?.pid } : {}) })}\n`,
);
const stop = () => {
  statsServer.close();
  host.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
