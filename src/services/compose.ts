/**
 * Builds every adapter and service once from validated config. The Azure entry (src/index.ts)
 * and the local host both call this; tests call it with overrides instead of mocking modules.
 */
import type { Config } from './config.js';
import { SECRET_SETTINGS } from './config.js';
import { createLogger } from './logger.js';
import type { Clock, Logger } from './ports.js';
import { createStorageClients, type StorageClients } from './adapters/storage/clients.js';
import { createWorkQueue } from './adapters/storage/work-queue.js';
import { createHealthService, type HealthProbe, type HealthService } from './health.js';
import { ok, err, adapterError } from './domain/result.js';
import { createReleaseStore } from './adapters/storage/release-store.js';
import { createIntake, type Intake } from './intake/service.js';
import type { ReleaseStore } from './ports.js';

export interface Services {
  config: Config;
  logger: Logger;
  clock: Clock;
  storage: StorageClients;
  queue: ReturnType<typeof createWorkQueue>;
  health: HealthService;
  store: ReleaseStore;
  intake: Intake;
}

export interface ServiceOverrides {
  logger?: Logger;
  clock?: Clock;
  /** Extra probes, e.g. the sandbox's fakes. */
  probes?: HealthProbe[];
}

export const VERSION = '0.1.0';

export function buildServices(config: Config, overrides: ServiceOverrides = {}): Services {
  const secrets = SECRET_SETTINGS.map((k) => config[k]).filter((v): v is string => typeof v === 'string');
  const logger =
    overrides.logger ??
    createLogger({
      service: config.TAILSPIN_SERVICE_NAME,
      environment: config.TAILSPIN_ENVIRONMENTS.join(','),
      level: config.LOG_LEVEL,
      secrets,
    });
  const clock = overrides.clock ?? { now: () => new Date() };
  const storage = createStorageClients(config.AzureWebJobsStorage);
  const queueClient = storage.queue(config.TAILSPIN_QUEUE_NAME);
  const queue = createWorkQueue(queueClient);

  const probes: HealthProbe[] = [
    {
      name: 'storage-queue',
      configured: true,
      required: true,
      check: async () => {
        try {
          return ok(await queueClient.exists());
        } catch (e) {
          return err(adapterError('storage', 'transient', e instanceof Error ? e.message : String(e)));
        }
      },
    },
    ...(overrides.probes ?? []),
  ];
  const health = createHealthService(probes, clock, VERSION);
  const prefix = config.TAILSPIN_TABLE_PREFIX;
  const store = createReleaseStore({ releases: storage.table(`${prefix}Releases`), dedup: storage.table(`${prefix}Dedup`) });
  const intake = createIntake({
    store,
    queue,
    catalog: config.catalog,
    environments: config.TAILSPIN_ENVIRONMENTS,
    loginServer: config.ACR_LOGIN_SERVER,
    clock,
    logger,
  });
  return { config, logger, clock, storage, queue, health, store, intake };
}
