/**
 * A small world for testing pipeline steps one by one (the argo-rollouts way): a fixed clock, a
 * release builder, and in-memory ports that answer only what a test scripts — any other call
 * fails the test, so every test also pins which calls a step makes.
 */
import { defaultCatalog } from '../../../src/services/domain/catalog.js';
import { emptyHead } from '../../../src/services/domain/head.js';
import { adapterError, type AdapterError, type AdapterErrorKind } from '../../../src/services/domain/result.js';
import { isTerminal, type Release, type ScanRecord } from '../../../src/services/domain/release.js';
import type {
  Builder,
  Clock,
  Cluster,
  RolloutObservation,
  ScanCache,
  Scanner,
  SourceControl,
  StoredHead,
  Telemetry,
} from '../../../src/services/ports.js';
import type { ReleaseStore, WorkQueue, Logger, NotifyOutbox, OutboxEntry } from '../../../src/services/ports.js';
import { DEFAULT_SCAN_POLICY } from '../../../src/services/scan-policy/index.js';
import { DEFAULT_VERIFICATION_SETTINGS } from '../../../src/services/verification/index.js';
import type { PipelineDeps, PipelineSettings } from '../../../src/services/pipeline/deps.js';
import type { StepContext } from '../../../src/services/pipeline/steps/common.js';

export const T0 = new Date('2026-11-26T10:00:00.000Z');
/** The clock `s` seconds after T0. */
export const at = (s: number): Date => new Date(T0.getTime() + s * 1000);
export const iso = (s: number): string => at(s).toISOString();

export const digest = (n: number): string => `sha256:${n.toString(16).padStart(4, '0').repeat(16)}`;
export const REGISTRY = 'tailspinacr.azurecr.io';
export const pinned = (n: number, repo = 'tailspin-server'): string => `${REGISTRY}/${repo}@${digest(n)}`;
export const COMMIT = 'c0ffee0000000000000000000000000000000001';

export const CATALOG = defaultCatalog('tailspin/tailspin-toys', 'main', ['dev']);

export const SETTINGS: PipelineSettings = {
  publicUrl: 'https://deployer.example/',
  rolloutPollSeconds: 5,
  rolloutDeadlineSeconds: 600,
  verifyWindowSeconds: 300,
  verifyIntervalSeconds: 30,
  verification: DEFAULT_VERIFICATION_SETTINGS,
  baselineBreach: 'keep',
  inconclusive: 'extend-then-hold',
  telemetryUnavailable: 'keep-unverified',
  smokeRetries: 2,
  scanPollSeconds: 10,
  scanDeadlineSeconds: 900,
  scanRetries: 1,
  scanCacheTtlHours: 24,
  scanPolicy: DEFAULT_SCAN_POLICY,
  buildPollSeconds: 15,
  buildDeadlineSeconds: 2100,
  slotWaitSeconds: 1800,
  notifyRetrySeconds: 30,
  notifyRetryMaxSeconds: 900,
  notifyDeadlineSeconds: 86_400,
  acrLoginServer: REGISTRY,
};

/** An image release of tailspin-server for digest(1), created at T0 and queued. */
export function aRelease(over: Partial<Release> = {}): Release {
  return {
    id: 'r-test-000001',
    app: 'tailspin-server',
    environment: 'dev',
    kind: 'image',
    phase: 'queued',
    image: { registry: REGISTRY, repository: 'tailspin-server', digest: digest(1), tag: 'v1' },
    commit: COMMIT,
    source: { door: 'acr', eventId: 'evt-1' },
    correlationId: 'evt-1',
    createdAt: iso(0),
    updatedAt: iso(0),
    progress: {},
    outcome: {},
    timeline: [{ at: iso(0), from: null, to: 'queued', reason: 'acr event evt-1', correlationId: 'evt-1' }],
    ...over,
  };
}

/** A passing scan verdict as a release keeps it. */
export const aScanRecord = (over: Partial<ScanRecord> = {}): ScanRecord => ({
  runId: 'scan-1',
  outcome: 'pass',
  counts: { vulnerabilities: {}, misconfigurations: {}, secrets: {}, blocking: {} },
  blocking: [],
  blockingTotal: 0,
  ignored: [],
  staleIgnores: [],
  trivy: { version: '0.58.0', db: null },
  policy: { severities: ['HIGH', 'CRITICAL'], ignoreUnfixed: false, blockSecrets: false, blockMisconfigAt: null, ignoreFile: null },
  notes: [],
  ...over,
});

export const fail = (kind: AdapterErrorKind, message = `${kind} failure`, extra: Partial<AdapterError> = {}): AdapterError =>
  adapterError('test', kind, message, extra);
export const okR = <T>(value: T) => Promise.resolve({ ok: true as const, value });
export const errR = (e: AdapterError) => Promise.resolve({ ok: false as const, error: e });

export interface Call {
  port: string;
  method: string;
  args: unknown[];
}

/** A port that answers only the scripted methods and records every call; anything else throws. */
function strict<T extends object>(port: string, script: Partial<T>, calls: Call[]): T {
  return new Proxy(script, {
    get(target, name) {
      if (typeof name !== 'string') return undefined;
      const impl = (target as Record<string, unknown>)[name];
      return (...args: unknown[]) => {
        calls.push({ port, method: name, args });
        if (typeof impl !== 'function') throw new Error(`unexpected call ${port}.${name}`);
        return (impl as (...a: unknown[]) => unknown)(...args);
      };
    },
  }) as T;
}

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

export interface WorldScript {
  cluster?: Partial<Cluster>;
  scanner?: Partial<Scanner>;
  builder?: Partial<Builder>;
  telemetry?: Partial<Telemetry>;
  source?: Partial<SourceControl>;
  scanCache?: Partial<ScanCache>;
  /** The notification outbox; unscripted, an in-memory one (`World.outbox`) that tests can read. */
  outbox?: Partial<NotifyOutbox>;
  store?: Partial<ReleaseStore>;
  queue?: Partial<WorkQueue>;
  /** Heads by "app/environment"; store.head answers from here unless the store is scripted. */
  heads?: Record<string, Partial<StoredHead>>;
  settings?: Partial<PipelineSettings>;
  logger?: Logger;
  /** Defaults to a clock fixed at T0. */
  clock?: Clock;
}

export interface World {
  d: PipelineDeps;
  /** What the default in-memory outbox holds, by release id. */
  outbox: Map<string, OutboxEntry>;
  calls: Call[];
  /** Calls to one port, as "method" strings, in order. */
  callsTo(port: string): string[];
}

export function world(s: WorldScript = {}): World {
  const calls: Call[] = [];
  const outbox = new Map<string, OutboxEntry>();
  const head = (app: string, environment: string): Promise<StoredHead> =>
    Promise.resolve({ ...emptyHead(app, environment), ...s.heads?.[`${app}/${environment}`] });
  const d: PipelineDeps = {
    store: strict('store', { head, ...s.store }, calls),
    queue: strict('queue', s.queue ?? {}, calls),
    clock: s.clock ?? { now: () => T0 },
    logger: s.logger ?? quiet,
    cluster: strict('cluster', s.cluster ?? {}, calls),
    scanner: strict('scanner', s.scanner ?? {}, calls),
    builder: strict('builder', s.builder ?? {}, calls),
    telemetry: strict('telemetry', s.telemetry ?? {}, calls),
    source: strict('source', s.source ?? {}, calls),
    scanCache: strict('scanCache', s.scanCache ?? {}, calls),
    outbox: s.outbox ? strict('outbox', s.outbox, calls) : memoryOutbox(outbox),
    catalog: CATALOG,
    settings: { ...SETTINGS, ...s.settings },
  };
  return { d, outbox, calls, callsTo: (port) => calls.filter((c) => c.port === port).map((c) => c.method) };
}

/** The outbox as the table behaves: upsert keeping the first `since`, remove, due by time, backlog. */
function memoryOutbox(rows: Map<string, OutboxEntry>): NotifyOutbox {
  return {
    put: (e) => {
      rows.set(e.releaseId, { ...e, since: rows.get(e.releaseId)?.since ?? e.since });
      return Promise.resolve();
    },
    remove: (id) => {
      rows.delete(id);
      return Promise.resolve();
    },
    due: (now, limit) => Promise.resolve([...rows.values()].filter((e) => new Date(e.dueAt) <= now).slice(0, limit)),
    backlog: () => {
      const oldest = [...rows.values()].map((e) => e.since).sort()[0];
      return Promise.resolve({ count: rows.size, ...(oldest ? { oldestSince: oldest } : {}) });
    },
  };
}

/** The context a step runs in: the release, the world, the time `now`. */
export function ctx(r: Release, w: World, now: Date = T0): StepContext {
  return { r, d: w.d, now, log: w.d.logger, app: w.d.catalog.apps.find((a) => a.name === r.app) };
}

/** A Deployment that finished rolling out `image` (kubectl's rollout-status "complete"). */
export function rolledOut(image: string, over: Partial<RolloutObservation> = {}): RolloutObservation {
  return {
    generation: 2,
    observedGeneration: 2,
    desiredReplicas: 2,
    replicas: 2,
    updatedReplicas: 2,
    readyReplicas: 2,
    availableReplicas: 2,
    unavailableReplicas: 0,
    conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }],
    image,
    revision: '3',
    annotations: {},
    podProblems: [],
    ...over,
  };
}

/** App/environment heads kept in memory with compare-and-swap writes, as the table store behaves. */
export function memoryHeads(initial: Record<string, Partial<StoredHead>> = {}) {
  let n = 0;
  const rows = new Map<string, StoredHead>(
    Object.entries(initial).map(([key, h]) => {
      const [app = '', environment = ''] = key.split('/');
      return [key, { ...emptyHead(app, environment), ...h, etag: `h${n++}` }];
    }),
  );
  const conflict = Promise.resolve({ ok: false as const, error: 'conflict' as const });
  /** Compare-and-swap one head: false when its etag is stale. */
  const cas = (h: StoredHead): StoredHead | undefined => {
    const key = `${h.app}/${h.environment}`;
    if (rows.get(key)?.etag !== h.etag) return undefined;
    const next = { ...h, etag: `h${++n}` };
    rows.set(key, next);
    return next;
  };
  const store: Pick<ReleaseStore, 'head' | 'putHead'> = {
    head: (app, environment) => Promise.resolve(rows.get(`${app}/${environment}`) ?? emptyHead(app, environment)),
    putHead: (h) => {
      const next = cas(h);
      return next ? Promise.resolve({ ok: true as const, value: next }) : conflict;
    },
  };
  return { store, cas, head: (key: string) => rows.get(key) };
}

/** Releases kept in memory with compare-and-swap saves, as the table store behaves (heads too, when given). */
export function memoryStore(initial: Release[], heads?: ReturnType<typeof memoryHeads>) {
  const rows = new Map<string, Release>(initial.map((r, i) => [r.id, { ...r, etag: `e${i}` }]));
  let n = 100;
  const saves: Release[] = [];
  const store: Partial<ReleaseStore> = {
    ...heads?.store,
    get: (id) => Promise.resolve(rows.get(id)),
    save: (release, change, now) => {
      const cur = rows.get(release.id);
      if (!cur || cur.etag !== release.etag) return Promise.resolve({ ok: false as const, error: 'conflict' as const });
      // The release and its head change together or not at all (one entity-group transaction).
      if (heads && change.head && !heads.cas(change.head)) return Promise.resolve({ ok: false as const, error: 'conflict' as const });
      let next: Release = { ...release, updatedAt: now.toISOString(), etag: `e${++n}` };
      if (change.to && change.to !== release.phase) {
        const entry = {
          at: now.toISOString(),
          from: release.phase,
          to: change.to,
          reason: change.reason ?? '',
          correlationId: release.correlationId,
        };
        next = { ...next, phase: change.to, timeline: [...release.timeline, entry] };
      }
      if (isTerminal(next.phase)) {
        delete next.nextCheckAt;
        delete next.wait;
      }
      rows.set(next.id, next);
      saves.push(next);
      return Promise.resolve({ ok: true as const, value: next });
    },
  };
  return {
    store,
    saves,
    row: (id: string) => rows.get(id),
    head: heads?.head,
    put: (r: Release) => rows.set(r.id, { ...r, etag: `e${++n}` }),
  };
}
