/**
 * Releases written straight into the store's tables in its own layout, as fast as azurite takes
 * them: the release row with a timeline (entity-group batches per app/environment), the id
 * pointer, the listing index rows and, for active ones, the due row. Each release carries a scan
 * verdict and measurements, as big as real ones. For the benchmarks only.
 */
import type { TableClient, TransactionAction } from '@azure/data-tables';
import {
  ID_PARTITION,
  partitionOf,
  releaseEntity,
  releaseRowKey,
  safeKey,
  timelineEntity,
} from '../src/services/adapters/storage/entities.js';
import { createReleaseIndex } from '../src/services/adapters/storage/release-index.js';
import { createDueIndex } from '../src/services/adapters/storage/due-index.js';
import { isTerminal, type Release } from '../src/services/domain/release.js';

export interface SeedTables {
  releases: TableClient;
  index: TableClient;
  due: TableClient;
}

const PHASES: Release['phase'][] = ['succeeded', 'succeeded', 'succeeded', 'rolled_back', 'blocked', 'superseded'];

export function benchRelease(i: number, at: Date, apps: string[], environment = 'dev'): Release {
  const app = apps[i % apps.length] ?? 'tailspin-server';
  const digest = `sha256:${i.toString(16).padStart(64, '0')}`;
  const id = `r-${at.getTime().toString(36)}-${i.toString(16).padStart(6, '0').slice(-6)}`;
  const thresholds = { errorRateMax: 0.01, p95MsMax: 2000, minRequests: 50 };
  const phase = PHASES[i % PHASES.length] ?? 'succeeded';
  const iso = at.toISOString();
  return {
    id,
    app,
    environment,
    kind: 'image',
    phase,
    image: { registry: 'tailspinacr.azurecr.io', repository: app, digest, tag: `v${i}` },
    commit: i.toString(16).padStart(40, 'a'),
    source: { door: i % 7 === 0 ? 'manual' : 'acr', eventId: `bench-${i}` },
    correlationId: `bench-${i}`,
    createdAt: iso,
    updatedAt: iso,
    progress: {},
    outcome: {
      scan: {
        runId: `run${i}`,
        outcome: 'pass',
        counts: { vulnerabilities: { MEDIUM: 3, LOW: 12 }, misconfigurations: {}, secrets: {}, blocking: {} },
        blocking: [],
        blockingTotal: 0,
        ignored: [],
        staleIgnores: [],
        trivy: { version: '0.58.1', db: null },
        policy: { severities: ['HIGH', 'CRITICAL'], ignoreUnfixed: false, blockSecrets: true, blockMisconfigAt: null, ignoreFile: null },
        notes: [],
      },
      measurements: { requests: 1500, failures: 3, errorRate: 0.002, p95Ms: 180, at: iso, from: iso, thresholds },
      baseline: { requests: 1400, failures: 2, errorRate: 0.0014, p95Ms: 170, from: iso, to: iso },
    },
    timeline: [
      { at: iso, from: null, to: 'queued', reason: 'acr event', correlationId: `bench-${i}` },
      { at: iso, from: 'queued', to: 'scanning', reason: 'scan started', correlationId: `bench-${i}` },
      { at: iso, from: 'scanning', to: phase, reason: 'bench', correlationId: `bench-${i}` },
    ],
  };
}

/** Run `jobs` with at most `concurrency` at a time. */
async function pool(jobs: (() => Promise<unknown>)[], concurrency: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < jobs.length) await jobs[next++]?.();
    }),
  );
}

export async function seedReleases(t: SeedTables, releases: Release[], concurrency = 6): Promise<void> {
  await Promise.all([t.releases.createTable(), t.index.createTable(), t.due.createTable()]);
  const byPartition = new Map<string, TransactionAction[]>();
  const add = (pk: string, a: TransactionAction) => {
    const list = byPartition.get(pk) ?? [];
    list.push(a);
    byPartition.set(pk, list);
  };
  const index = createReleaseIndex(t.index);
  const indexActions: TransactionAction[] = [];
  for (const r of releases) {
    const pk = partitionOf(r.app, r.environment);
    const rk = releaseRowKey(r.id, new Date(r.createdAt));
    // A release and its timeline in one batch: a batch never splits them.
    const group: TransactionAction[] = [
      ['create', releaseEntity(r, rk)],
      ...r.timeline.map((e, i): TransactionAction => ['create', timelineEntity(pk, rk, i, e)]),
    ];
    for (const a of group) add(pk, a);
    add(ID_PARTITION, ['upsert', { partitionKey: ID_PARTITION, rowKey: safeKey(r.id), pk, rk }, 'Replace']);
    indexActions.push(...index.actionsFor(r, r.phase));
  }
  const jobs: (() => Promise<unknown>)[] = [];
  const per = (table: TableClient, actions: TransactionAction[], size: number) => {
    for (let i = 0; i < actions.length; i += size) jobs.push(() => table.submitTransaction(actions.slice(i, i + size)));
  };
  const perRelease = 1 + (releases[0]?.timeline.length ?? 0);
  for (const [pk, actions] of byPartition) per(t.releases, actions, pk === ID_PARTITION ? 100 : Math.floor(100 / perRelease) * perRelease);
  // Index rows: one partition per view, hundred rows per transaction.
  const byView = new Map<string, TransactionAction[]>();
  for (const a of indexActions) {
    const list = byView.get(a[1].partitionKey) ?? [];
    list.push(a);
    byView.set(a[1].partitionKey, list);
  }
  for (const actions of byView.values()) per(t.index, actions, 100);
  await pool(jobs, concurrency);
  // Seeded with their index rows: nothing stored before the index is left to backfill.
  await t.index.upsertEntity({ partitionKey: 'meta', rowKey: 'backfill-v1', done: true, indexed: 0, token: '' }, 'Replace');
  const due = createDueIndex(t.due);
  await pool(
    releases.filter((r) => !isTerminal(r.phase)).map((r) => () => due.put(r)),
    concurrency,
  );
}
