/** What the pipeline needs: ports, the catalog and settings. Built once by the composition root. */
import type { Builder, Clock, Cluster, Logger, ReleaseStore, ScanCache, Scanner, SourceControl, Telemetry, WorkQueue } from '../ports.js';
import type { Catalog } from '../domain/catalog.js';
import type { ScanPolicy } from '../scan-policy/index.js';
import type { Thresholds } from '../domain/observations.js';

export interface PipelineSettings {
  publicUrl: string;
  rolloutPollSeconds: number;
  rolloutDeadlineSeconds: number;
  verifyWindowSeconds: number;
  verifyIntervalSeconds: number;
  thresholds: Thresholds;
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
  /** ACR_LOGIN_SERVER: every image a manifest names must come from it. */
  acrLoginServer: string;
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
  catalog: Catalog;
  settings: PipelineSettings;
}
