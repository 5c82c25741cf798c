/**
 * The local Functions host: the same registrations the Azure host loads, served on
 * http://localhost:7071 with azurite embedded and the sandbox beside it.
 */
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { loadConfig, type Config } from '../services/config.js';
import { buildServices, storageNames, type Services } from '../services/compose.js';
import { registerAll } from '../functions/index.js';
import type { EventGridRegistration, HttpRegistration, QueueRegistration, Registrar, TimerRegistration } from '../functions/registrar.js';
import { startAzurite, type Azurite } from './azurite.js';
import { createHttpHost } from './http-server.js';
import { startQueuePoller, type Poller } from './queue-poller.js';
import { startTimer } from './timers.js';
import { isPortOpen } from './net.js';
import type { SandboxService, SandboxSlot } from '../sandbox/slot.js';
import type { Logger } from '../services/ports.js';
import type { ServiceOverrides } from '../services/compose.js';

export interface LocalHostOptions {
  root: string;
  env: Record<string, string | undefined>;
  /** 0 picks a free port (tests). Defaults to FUNCTIONS_HTTP_PORT. */
  port?: number;
  /** "standard" uses azurite's usual ports 10000-10002 when free; tests use random ones. */
  azuritePorts?: 'standard' | 'random';
  slots?: SandboxSlot[];
  overrides?: ServiceOverrides;
  /** Poll interval of the queue poller when idle. */
  queueIdleMs?: number;
  /**
   * false: no queue pollers and no timers — the host only answers HTTP (and owns azurite and the
   * sandbox, if it starts them). The scale-out bench runs the fakes apart from the hosts it measures so.
   */
  work?: boolean;
  /** Queue batch settings; by default host.json's under `root` (extensions.queues), else the poller's defaults. */
  queues?: { batchSize: number; newBatchThreshold: number };
}

export interface LocalHost {
  url: string;
  config: Config;
  services: Services;
  registrations: Registrations;
  azurite?: Azurite;
  sandbox: SandboxService[];
  stop(): Promise<void>;
}

export interface Registrations {
  http: Map<string, HttpRegistration>;
  queues: Map<string, QueueRegistration>;
  timers: Map<string, TimerRegistration>;
  eventGrid: Map<string, EventGridRegistration>;
}

export function recordingRegistrar(): Registrar & { registrations: Registrations } {
  const registrations: Registrations = { http: new Map(), queues: new Map(), timers: new Map(), eventGrid: new Map() };
  const add = <T>(m: Map<string, T>, name: string, r: T) => {
    if (m.has(name) || registrations.http.has(name)) throw new Error(`function "${name}" registered twice`);
    m.set(name, r);
  };
  return {
    registrations,
    http: (n, r) => add(registrations.http, n, r),
    storageQueue: (n, r) => add(registrations.queues, n, r),
    timer: (n, r) => add(registrations.timers, n, r),
    eventGrid: (n, r) => add(registrations.eventGrid, n, r),
  };
}

export async function startLocalHost(opts: LocalHostOptions): Promise<LocalHost> {
  const env = { ...opts.env };
  const cleanups: (() => Promise<void> | void)[] = [];
  const stopAll = async () => {
    for (const c of cleanups.reverse()) await c();
  };
  try {
    let azurite: Azurite | undefined;
    // Bound once the services exist: an azurite that died and came back (empty, in memory) gets its tables and queues again.
    const late: { bound?: { services: Services; config: Config; logger: Logger } } = {};
    if (!env.AzureWebJobsStorage || env.AzureWebJobsStorage === 'UseDevelopmentStorage=true') {
      const standard =
        opts.azuritePorts === 'standard' && !(await isPortOpen(10000)) && !(await isPortOpen(10001)) && !(await isPortOpen(10002));
      azurite = await startAzurite({
        ...(standard ? { ports: { blob: 10000, queue: 10001, table: 10002 } } : {}),
        ...(env.AZURITE_LOCATION ? { location: env.AZURITE_LOCATION } : {}),
        keepAlive: {
          restarted: () => (late.bound ? provisionStorage(late.bound.services, late.bound.config) : Promise.resolve()),
          log: (message, fields) => late.bound?.logger.warn(message, fields),
        },
      });
      cleanups.push(() => azurite?.stop());
      env.AzureWebJobsStorage = azurite.connectionString;
    }

    const sandbox: SandboxService[] = [];
    const mode = env.TAILSPIN_SANDBOX ?? 'auto';
    for (const slot of mode === 'off' ? [] : (opts.slots ?? [])) {
      if (mode === 'auto' && slot.realConfigured(env)) continue;
      const svc = await slot.start({ root: opts.root, env });
      cleanups.push(() => svc.stop());
      sandbox.push(svc);
      Object.assign(env, svc.settings);
    }

    const config = loadConfig(env);
    const services = buildServices(config, opts.overrides);
    const registrar = recordingRegistrar();
    registerAll(registrar, services);
    const { registrations } = registrar;
    const logger: Logger = services.logger.child({ component: 'local-host' });
    late.bound = { services, config, logger };

    const pollers: Poller[] = [];
    const work = opts.work ?? true;
    const batch = opts.queues ?? (await queueBatch(opts.root));
    for (const [name, reg] of work ? registrations.queues : new Map<string, never>()) {
      const q = services.storage.queue(reg.queueName);
      const poison = services.storage.queue(`${reg.queueName}-poison`);
      pollers.push(startQueuePoller(name, reg, q, poison, logger, { idleMs: opts.queueIdleMs ?? 200, ...batch }));
    }
    cleanups.push(async () => {
      await Promise.all(pollers.map((p) => p.stop()));
    });
    const timers = work ? [...registrations.timers].map(([name, reg]) => startTimer(name, reg, logger)) : [];
    cleanups.push(() => timers.forEach((t) => t.stop()));

    const server: Server = createHttpHost({
      http: registrations.http,
      eventGrid: registrations.eventGrid,
      functionKey: config.TAILSPIN_LOCAL_FUNCTION_KEY,
      logger,
    });
    const port = opts.port ?? config.FUNCTIONS_HTTP_PORT;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const url = `http://localhost:${(server.address() as AddressInfo).port}`;
    for (const svc of sandbox) svc.hostReady?.({ url, functionKey: config.TAILSPIN_LOCAL_FUNCTION_KEY });
    return { url, config, services, registrations, ...(azurite ? { azurite } : {}), sandbox, stop: stopAll };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

/** Create what the deployer keeps its state in; every call is a no-op for what already exists. */
async function provisionStorage(services: Services, config: Config): Promise<void> {
  const names = storageNames(config);
  await Promise.all([
    ...Object.values(names.tables).map((t) => services.storage.table(t).createTable()),
    ...names.queues.map((q) => services.storage.queue(q).createIfNotExists()),
  ]);
}

/** host.json's queue batch settings under `root`, where it has them (the Functions host reads the same). */
async function queueBatch(root: string): Promise<{ batchSize?: number; newBatchThreshold?: number }> {
  try {
    const json = JSON.parse(await readFile(join(root, 'host.json'), 'utf8')) as {
      extensions?: { queues?: { batchSize?: unknown; newBatchThreshold?: unknown } };
    };
    const q = json.extensions?.queues ?? {};
    const whole = (v: unknown, max: number) =>
      Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max ? (v as number) : undefined;
    const batchSize = whole(q.batchSize, 32);
    const newBatchThreshold = whole(q.newBatchThreshold, 1000);
    return { ...(batchSize ? { batchSize } : {}), ...(newBatchThreshold !== undefined ? { newBatchThreshold } : {}) };
  } catch {
    return {};
  }
}
