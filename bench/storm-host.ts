/**
 * One local host of the scale-out storm, in its own process. STORM_ROLE=first starts azurite and
 * the sandbox (and makes every app's telemetry healthy); any other role joins with STORM_SHARED,
 * the first host's storage and sandbox settings (src/local/cluster.ts). Prints one JSON line
 * {url, shared?} when ready; stops on SIGTERM.
 */
import { startLocalHost } from '../src/local/host.js';
import { sharedSettings } from '../src/local/cluster.js';
import { sandboxSlots } from '../src/sandbox/index.js';
import { HEALTHY } from '../src/sandbox/monitor/slot.js';
import type { MonitorFake } from '../src/sandbox/monitor/fake.js';
import { silentLogger } from '../src/services/logger.js';

const first = process.env.STORM_ROLE === 'first';
const env = JSON.parse(process.env.STORM_ENV ?? '{}') as Record<string, string>;
const shared = JSON.parse(process.env.STORM_SHARED ?? '{}') as Record<string, string>;
const apps = JSON.parse(process.env.STORM_APPS ?? '[]') as string[];
const host = await startLocalHost({
  root: process.env.STORM_ROOT ?? '.',
  env: { ...env, ...shared },
  port: 0,
  azuritePorts: 'random',
  slots: first ? sandboxSlots : [],
  queueIdleMs: 50,
  overrides: { logger: silentLogger },
});
if (first) {
  const monitor = host.sandbox.find((s) => s.name === 'log-analytics')?.handle as MonitorFake;
  for (const app of apps) monitor.setProfile(app, HEALTHY, new Date(0));
}
process.stdout.write(
  `${JSON.stringify({ url: host.url.replace('localhost', '127.0.0.1'), ...(first ? { shared: sharedSettings(host) } : {}) })}\n`,
);
const stop = () => {
  host.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
