/** What the pipeline needs: ports, the catalog and settings. Built once by the composition root. */
import type {
  Builder,
  Clock,
  Cluster,
  Logger,
  NotifyOutbox,
  ReleaseStore,
  ScanCache,
  Scanner,
  SourceControl,
  Telemetry,
  WorkQueue,
} from '../ports.js';
import type { Catalog } from '../domain/catalog.js';
import type { ScanPolicy } from '../scan-policy/index.js';
import type { VerificationSettings } from '../verification/index.js';

export interface PipelineSettings {
  publicUrl: string;
  rolloutPollSeconds: number;
  rolloutDeadlineSeconds: number;
  verifyWindowSeconds: number;
  verifyIntervalSeconds: number;
  /** The telemetry decision's thresholds, error budgets and ratios (VERIFY_*). */
  verification: VerificationSettings;
  /** A breach the version before the deploy shared: keep the release (not its fault, ends unverified) or roll back anyway. */
  baselineBreach: 'keep' | 'rollback';
  inconclusive: 'extend-then-pass' | 'extend-then-hold' | 'hold';
  telemetryUnavailable: 'keep-unverified' | 'rollback';
  smokeRetries: number;
  scanPollSeconds: number;
  scanDeadlineSeconds: number;
  scanRetries: number;
  scanCacheTtlHours: number;
  scanPolicy: ScanPolicy;
  buildPollSeconds: number;
  buildDeadlineSeconds: number;
  /** How long a release waits for another one to free the deploy slot before giving up. */
  slotWaitSeconds: number;
  /** Notices of an ended release: first resend after this, doubling up to notifyRetryMaxSeconds. */
  notifyRetrySeconds: number;
  notifyRetryMaxSeconds: number;
  /** …until delivered or this long after the release ended. */
  notifyDeadlineSeconds: number;
  /** ACR_LOGIN_SERVER: every image a manifest names must come from it. */
  acrLoginServer: string;
  /** RELEASE_RETENTION_DAYS: ended releases older than this are removed by the sweeper (0 or absent: kept). */
  retentionDays?: number;
}

export interface PipelineDeps {
  store: ReleaseStore;
  queue: WorkQueue;
  clock: Clock;
  logger: Logger;
  cluster: Cluster;
  scanner: Scanner;
  builder: Builder;
  telemetry: Telemetry;
  source: SourceControl;
  scanCache: ScanCache;
  /** Ended releases whose notices are not delivered yet (re-driven by the sweeper, counted by /api/health). */
  outbox: NotifyOutbox;
  catalog: Catalog;
  settings: PipelineSettings;
}
