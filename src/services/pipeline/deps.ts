/** What the pipeline needs: ports, the catalog and settings. Built once by the composition root. */
import type {
  Builder,
  Clock,
  Cluster,
  CodeScanning,
  ImageTags,
  Logger,
  NotifyOutbox,
  PoisonRedrive,
  ReleaseStore,
  ScanCache,
  Scanner,
  SignatureSource,
  SourceControl,
  Telemetry,
  WorkQueue,
} from '../ports.js';
import type { Catalog } from '../domain/catalog.js';
import type { ScanPolicy } from '../scan-policy/index.js';
import type { VerificationSettings } from '../verification/index.js';
import type { TrustedKey } from '../signature/index.js';

/** The signature gate: the default policy (an app's signaturePolicy overrides it) and the keys signatures must verify against. */
export interface SignatureSettings {
  policy: 'off' | 'warn' | 'enforce';
  keys: TrustedKey[];
  /** How long a registry that cannot be read is waited for before the gate gives up (enforce: blocked). */
  deadlineSeconds: number;
  pollSeconds: number;
}

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
  /** Absent: the gate is off. */
  signature?: SignatureSettings;
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
  /** Cosign signatures in the registry; needed only when the signature gate is on. */
  signatures?: SignatureSource;
  /** Moving tags (latest, semver) inside the registry after the gate; absent: tags are left alone. */
  tags?: ImageTags;
  /** SARIF uploads to GitHub code scanning; absent: not uploaded (recorded as skipped). */
  codeScanning?: CodeScanning;
  /** Ended releases whose notices are not delivered yet (re-driven by the sweeper, counted by /api/health). */
  outbox: NotifyOutbox;
  /** The admission queue's poison queue, given back by the sweeper (absent in tests that have no queues). */
  admissionPoison?: PoisonRedrive;
  catalog: Catalog;
  settings: PipelineSettings;
  /** Environments with their own cluster, namespace or verification (promotion graph): a release is reconciled with its environment's. */
  environments?: Record<string, PipelineDeps>;
}
