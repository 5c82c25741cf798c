/**
 * Builds every adapter and service once from validated config. The Azure entry (src/index.ts)
 * and the local host both call this; tests call it with overrides instead of mocking modules.
 */
import { ConfigError, SECRET_SETTINGS, type Config } from './config.js';
import { createLogger } from './logger.js';
import type { Clock, IntakeLedger, Logger, ReleaseStore } from './ports.js';
import { createStorageClients, type StorageClients } from './adapters/storage/clients.js';
import { createWorkQueue } from './adapters/storage/work-queue.js';
import { createReleaseStore } from './adapters/storage/release-store.js';
import { unavailableAsError } from './adapters/storage/unavailable.js';
import { createNotifyOutbox } from './adapters/storage/notify-outbox.js';
import { createAdmissionQueue } from './adapters/storage/admission-queue.js';
import { createIntakeLedger } from './adapters/storage/intake-ledger.js';
import { newReleaseId } from './adapters/storage/entities.js';
import { createScanCache } from './adapters/storage/scan-cache.js';
import { portsFromConfig, readIgnoreFile, type Ports } from './adapters/ports-from-config.js';
import { alertsFromConfig } from './adapters/alerts/from-config.js';
import { lazyDefaultCredential } from './adapters/credential.js';
import { createHealthService, type HealthProbe, type HealthService } from './health.js';
import { ok, err, adapterError } from './domain/result.js';
import { createIntake, type Intake } from './intake/service.js';
import { parseIgnoreFile, scanPolicyFromSettings, type ScanPolicy } from './scan-policy/index.js';
import type { PipelineDeps } from './pipeline/deps.js';
import { signatureSettings } from './signature/settings.js';
import type { Observability } from './telemetry/port.js';
import { observedIntake, observedStore } from './telemetry/decorators.js';
import { createObservability } from './adapters/otel/index.js';
import type { IntakeDeps } from './intake/admission.js';
import { createPromotionStore } from './adapters/storage/promotion-store.js';
import { environmentClusters, environmentTelemetry } from './adapters/environment-clusters.js';
import { environmentDeps } from './promotion/environment-deps.js';
import type { PromotionDeps } from './promotion/service.js';

export interface Services {
  config: Config;
  logger: Logger;
  clock: Clock;
  storage: StorageClients;
  queue: ReturnType<typeof createWorkQueue>;
  health: HealthService;
  store: ReleaseStore;
  /** Idempotency keys of the GitHub and ACR doors with the release ids reserved for them. */
  ledger: IntakeLedger;
  intake: Intake;
  pipeline: PipelineDeps;
  /** Promotion between the environments of the graph (src/services/promotion). */
  promotion: PromotionDeps;
  /** The deployer's own metrics and release traces (GET /api/metrics; Application Insights in Azure). */
  observability: Observability;
}

export interface ServiceOverrides {
  logger?: Logger;
  clock?: Clock;
  /** Extra probes, e.g. the sandbox's fakes. */
  probes?: HealthProbe[];
  observability?: Observability;
  /** Replace adapters (tests); anything not given comes from settings. */
  ports?: Partial<Omit<Ports, 'configured'>>;
}

export const VERSION = '0.1.0';

/** One enqueue on the request path, tries included (the queue SDK itself never stops waiting). */
const REQUEST_QUEUE_DEADLINE_MS = 4_000;

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
  // One managed-identity credential for every adapter and environment: one token cache, one refresh.
  const credential = lazyDefaultCredential();
  const connection =
    'accountName' in config.storage ? { accountName: config.storage.accountName, credential } : config.storage.connectionString;
  const storage = createStorageClients(connection, 'worker');
  const queue = createWorkQueue(storage.queue(config.TAILSPIN_QUEUE_NAME));
  const names = storageNames(config);
  const tables = (c: StorageClients) => ({
    releases: c.table(names.tables.releases),
    dedup: c.table(names.tables.dedup),
    index: c.table(names.tables.index),
    due: c.table(names.tables.due),
  });
  const store = createReleaseStore(tables(storage));
  // The doors answer people and webhooks: storage calls there are bounded, and an outage is a 503.
  const requestStorage = createStorageClients(connection, 'request');
  const queueClient = requestStorage.queue(config.TAILSPIN_QUEUE_NAME);
  const requestStore = unavailableAsError(createReleaseStore(tables(requestStorage)));
  const requestQueue = unavailableAsError(createWorkQueue(queueClient, { deadlineMs: REQUEST_QUEUE_DEADLINE_MS }));
  const admissions = unavailableAsError(
    createAdmissionQueue(requestStorage.queue(names.admissionQueue), { deadlineMs: REQUEST_QUEUE_DEADLINE_MS }),
  );
  const ledger = unavailableAsError(createIntakeLedger(requestStorage.table(names.tables.dedup)));
  const ports = { ...portsFromConfig(config, { logger, clock, credential }), ...overrides.ports };
  const envClusters = environmentClusters(config, logger, credential);
  const envTelemetry = environmentTelemetry(config, logger, credential);
  const alerts = alertsFromConfig(config, credential);

  const probe = (name: string, configured: boolean, required: boolean, check: HealthProbe['check']): HealthProbe => ({
    name,
    configured,
    required,
    check,
  });
  const probes: HealthProbe[] = [
    probe('storage-queue', true, true, async () => {
      try {
        return ok(await queueClient.exists());
      } catch (e) {
        return err(adapterError('storage', 'transient', e instanceof Error ? e.message : String(e)));
      }
    }),
    probe('kubernetes', ports.configured.cluster || Boolean(overrides.ports?.cluster), false, () => ports.cluster.ping()),
    // Environments of the promotion graph with a cluster of their own (issue 18).
    ...Object.entries(envClusters).map(([env, cluster]) => probe(`kubernetes-${env}`, true, false, () => cluster.ping())),
    probe('github', ports.configured.github || Boolean(overrides.ports?.source), false, () => ports.source.ping()),
    probe('log-analytics', ports.configured.telemetry || Boolean(overrides.ports?.telemetry), false, () => ports.telemetry.ping()),
    ...Object.entries(envTelemetry).map(([env, t]) => probe(`log-analytics-${env}`, true, false, () => t.ping())),
    ...(overrides.probes ?? []),
  ];
  // The health answer only reads: moving rows left in the releases table is the worker's (below).
  const backlog = createNotifyOutbox(requestStorage.table(names.tables.outbox));
  const health = createHealthService(probes, clock, VERSION, { backlog: () => backlog.backlog() });
  const observability =
    overrides.observability ??
    createObservability(
      {
        serviceName: config.TAILSPIN_SERVICE_NAME,
        environment: config.TAILSPIN_ENVIRONMENTS.join(','),
        version: VERSION,
        ...(config.APPLICATIONINSIGHTS_CONNECTION_STRING
          ? { connectionString: config.APPLICATIONINSIGHTS_CONNECTION_STRING, credential }
          : {}),
      },
      logger,
    );
  const intakeDeps: IntakeDeps = {
    store: requestStore,
    queue: requestQueue,
    admissions,
    accepted: admissions,
    ledger,
    newReleaseId,
    catalog: config.catalog,
    environments: config.TAILSPIN_ENVIRONMENTS,
    loginServer: config.ACR_LOGIN_SERVER,
    clock,
    logger,
  };
  const plainIntake = createIntake(intakeDeps);
  const intake = observedIntake(plainIntake, observability, logger);
  const shared: PipelineDeps = {
    store: observedStore(store, observability, clock, logger),
    queue,
    clock,
    logger,
    cluster: ports.cluster,
    scanner: ports.scanner,
    builder: ports.builder,
    telemetry: ports.telemetry,
    source: ports.source,
    ...(ports.tags ? { tags: ports.tags } : {}),
    ...(ports.codeScanning ? { codeScanning: ports.codeScanning } : {}),
    scanCache: createScanCache(storage.table(names.tables.scanCache)),
    signatures: ports.signatures,
    outbox: createNotifyOutbox(storage.table(names.tables.outbox), storage.table(names.tables.releases)),
    catalog: config.catalog,
    settings: {
      publicUrl: config.TAILSPIN_PUBLIC_URL,
      rolloutPollSeconds: config.ROLLOUT_POLL_SECONDS,
      rolloutDeadlineSeconds: config.ROLLOUT_DEADLINE_SECONDS,
      verifyWindowSeconds: config.VERIFY_WINDOW_SECONDS,
      verifyIntervalSeconds: config.VERIFY_INTERVAL_SECONDS,
      verification: config.verification,
      baselineBreach: config.VERIFY_BASELINE_BREACH,
      inconclusive: config.VERIFY_INCONCLUSIVE,
      telemetryUnavailable: config.VERIFY_TELEMETRY_UNAVAILABLE,
      smokeRetries: config.SMOKE_RETRIES,
      scanPollSeconds: config.SCAN_POLL_SECONDS,
      scanDeadlineSeconds: config.SCAN_DEADLINE_SECONDS,
      scanRetries: config.SCAN_RETRIES,
      scanCacheTtlHours: config.SCAN_CACHE_TTL_HOURS,
      scanPolicy: scanPolicy(config),
      buildPollSeconds: config.BUILD_POLL_SECONDS,
      buildDeadlineSeconds: config.ACR_BUILD_TIMEOUT_SECONDS + 300,
      slotWaitSeconds: config.ROLLOUT_DEADLINE_SECONDS + config.VERIFY_WINDOW_SECONDS * 3 + 600,
      notifyRetrySeconds: config.NOTIFY_RETRY_SECONDS,
      notifyRetryMaxSeconds: Math.max(config.NOTIFY_RETRY_MAX_SECONDS, config.NOTIFY_RETRY_SECONDS),
      notifyDeadlineSeconds: Math.round(config.NOTIFY_DEADLINE_HOURS * 3600),
      acrLoginServer: config.ACR_LOGIN_SERVER,
      signature: signatureSettings(config),
      retentionDays: config.RELEASE_RETENTION_DAYS,
    },
  };
  const pipeline: PipelineDeps = {
    ...shared,
    environments: environmentDeps(shared, config.promotion, {
      clusters: envClusters,
      telemetry: environmentTelemetry(config, logger, credential),
    }),
  };
  const promotion: PromotionDeps = {
    graph: config.promotion,
    promotions: unavailableAsError(createPromotionStore(requestStorage.table(names.tables.releases))),
    intake: intakeDeps,
    ...(alerts ? { alerts } : {}),
    publicUrl: config.TAILSPIN_PUBLIC_URL,
    logger,
    ...(ports.reviews
      ? {
          github: {
            reviews: ports.reviews,
            ref: config.GITHUB_DEPLOY_BRANCH,
            ...(config.PROMOTION_GITHUB_WORKFLOW ? { workflow: config.PROMOTION_GITHUB_WORKFLOW } : {}),
          },
        }
      : {}),
  };
  return { config, logger, clock, storage, queue, health, store: requestStore, ledger, intake, pipeline, promotion, observability };
}

/** The tables and queues the deployer keeps its state in (the local host re-creates them when its azurite restarts). */
export function storageNames(config: Config) {
  const prefix = config.TAILSPIN_TABLE_PREFIX;
  const work = config.TAILSPIN_QUEUE_NAME;
  const admissionQueue = `${work}-admit`;
  return {
    tables: {
      releases: `${prefix}Releases`,
      dedup: `${prefix}Dedup`,
      scanCache: `${prefix}ScanCache`,
      index: `${prefix}ReleaseIndex`,
      due: `${prefix}DueReleases`,
      outbox: `${prefix}NotifyOutbox`,
    },
    admissionQueue,
    queues: [work, `${work}-poison`, admissionQueue, `${admissionQueue}-poison`],
  };
}

/** The scan policy from settings and the ignore file; a bad one stops start-up, naming the setting. */
function scanPolicy(config: Config): ScanPolicy {
  let file;
  try {
    const raw = readIgnoreFile(config.SCAN_IGNOREFILE);
    if (raw) {
      const parsed = parseIgnoreFile(raw.name, raw.text);
      if (!parsed.ok) throw new ConfigError([`SCAN_IGNOREFILE: ${parsed.error.message}`]);
      file = parsed.value;
    }
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError([`SCAN_IGNOREFILE: cannot read ${config.SCAN_IGNOREFILE ?? ''}: ${e instanceof Error ? e.message : String(e)}`]);
  }
  const policy = scanPolicyFromSettings(config, file);
  if (!policy.ok) throw new ConfigError([policy.error.message]);
  return policy.value;
}
