/**
 * Cost as history grows (issue #19): the local host (in this process, azurite as its child, sandbox
 * off, queue consumer parked) with 0, 10 k and 100 k releases stored in the store's own layout
 * (bench/seed-releases.ts: release, 3 timeline rows, id pointer, 16 index rows each; 20 active
 * releases in the due index throughout). At each size, measured the same way:
 *  - list: GET /api/deployments?limit=20, and filtered (app + environment + outcome), 40 each;
 *  - sweeper tick: the registered timer's handler (re-drives, owed notices, backfill check), 15
 *    ticks after a first one; the retention scan runs on its own pace (every 10 minutes, nothing past
 *    the age here), so it is timed apart: the store's `expired` query, 15 times;
 *  - ack: signed GitHub pushes, one connection, each a new delivery and commit, 150 of them.
 * Figures are medians and p90/p99 in ms; the ratio is the 100 k figure over the 0 one.
 * Run alone: npx tsx bench/history.ts [sizes, default 0,10000,100000]
 */
import type { Timer } from '@azure/functions';
import { InvocationContext } from '../src/functions/azure-functions.js';
import { startLocalHost, type LocalHost } from '../src/local/host.js';
import { freePort } from '../src/local/net.js';
import { silentLogger } from '../src/services/logger.js';
import { repoRoot } from '../test/helpers/fixtures.js';
import { BENCH_CATALOG, BENCH_SECRET, freshIds, pushTemplate } from './webhook-payload.js';
import { benchRelease, seedReleases } from './seed-releases.js';
import { median, percentile, round } from './stats.js';
import { TableClient, type TableServiceClientOptions } from '@azure/data-tables';
import { createReleaseStore } from '../src/services/adapters/storage/release-store.js';
import { createNotifyOutbox } from '../src/services/adapters/storage/notify-outbox.js';

/** The store over the host's tables with every request counted: how many a listing or a tick makes. */
function countedStore(host: LocalHost) {
  let n = 0;
  const opts: TableServiceClientOptions = {
    allowInsecureConnection: true,
    additionalPolicies: [{ position: 'perCall', policy: { name: 'count', sendRequest: (req, next) => (n++, next(req)) } }],
  };
  const prefix = host.config.TAILSPIN_TABLE_PREFIX;
  const table = (name: string) => TableClient.fromConnectionString(host.config.AzureWebJobsStorage ?? '', `${prefix}${name}`, opts);
  const store = createReleaseStore({
    releases: table('Releases'),
    dedup: table('Dedup'),
    index: table('ReleaseIndex'),
    due: table('DueReleases'),
  });
  const outbox = createNotifyOutbox(table('NotifyOutbox'));
  const count = async (f: () => Promise<unknown>) => {
    await f();
    const before = n;
    await f();
    return n - before;
  };
  return { store, outbox, count };
}

export interface HistoryRow {
  stored: number;
  /** Storage requests one call makes, counted on the wire (what Azure Tables bills and serves from its index). */
  requests: { list: number; listFiltered: number; tick: number; retention: number };
  seedS: number;
  listMs: { p50: number; p90: number };
  listFilteredMs: { p50: number; p90: number };
  tickMs: { p50: number; p90: number };
  /** The retention pass's scan (every 10 minutes, not every tick). */
  retentionMs: { p50: number; p90: number };
  ackMs: { p50: number; p99: number };
  ackRps: number;
}

const APPS = Array.from({ length: 10 }, (_, i) => `bench-app-${i}`);
const ACTIVE = 20;
/** One release every 10 minutes, going back in time: 100 k reach about two years back. */
const SPACING_MS = 600_000;

async function timedMs(f: () => Promise<void>, n: number): Promise<number[]> {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await f();
    xs.push(performance.now() - t);
  }
  return xs;
}

function seedTables(host: LocalHost) {
  const prefix = host.config.TAILSPIN_TABLE_PREFIX;
  const table = (name: string) => host.services.storage.table(`${prefix}${name}`);
  return { releases: table('Releases'), index: table('ReleaseIndex'), due: table('DueReleases') };
}

/** Releases `from`..`to`-1, the i-th created i × 10 minutes before `t0`; the first ACTIVE ones still verifying. */
function releases(from: number, to: number, t0: number) {
  return Array.from({ length: to - from }, (_, k) => {
    const i = from + k;
    const r = benchRelease(i, new Date(t0 - i * SPACING_MS), APPS);
    if (i >= ACTIVE) return r;
    // Active, next look a month away: in the due index, not re-driven by the ticks measured.
    return { ...r, phase: 'verifying' as const, nextCheckAt: new Date(t0 + 30 * 86_400_000).toISOString() };
  });
}

export async function historyBench(sizes: number[] = [0, 10_000, 100_000]): Promise<HistoryRow[]> {
  const port = await freePort();
  const host = await startLocalHost({
    root: repoRoot,
    port,
    azuritePorts: 'random',
    queueIdleMs: 3_600_000,
    env: {
      GITHUB_WEBHOOK_SECRET: BENCH_SECRET,
      TAILSPIN_SANDBOX: 'off',
      TAILSPIN_PUBLIC_URL: `http://127.0.0.1:${port}`,
      TAILSPIN_LOCAL_FUNCTION_KEY: 'bench-function-key',
      GITHUB_REPOSITORY: BENCH_CATALOG.repository,
      GITHUB_DEPLOY_BRANCH: BENCH_CATALOG.deployBranch,
      ACR_LOGIN_SERVER: 'demo.azurecr.io',
      TAILSPIN_CATALOG: JSON.stringify(BENCH_CATALOG),
      // Retention on, with an age no seeded release reaches: its scan (timed apart) removes nothing.
      RELEASE_RETENTION_DAYS: '1000',
      LOG_LEVEL: 'error',
    },
    overrides: { logger: silentLogger },
  });
  const url = `http://127.0.0.1:${port}/api`;
  const headers = { 'x-functions-key': 'bench-function-key' };
  const sweeper = host.registrations.timers.get('sweeper');
  if (!sweeper) throw new Error('no sweeper registered');
  const timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } } as Timer;
  const push = pushTemplate();
  const t0 = Date.now() - 3_600_000;
  const rows: HistoryRow[] = [];
  let stored = 0;
  try {
    for (const size of sizes) {
      const s0 = performance.now();
      if (size > stored) await seedReleases(seedTables(host), releases(stored, size, t0));
      stored = Math.max(stored, size);
      const seedS = round((performance.now() - s0) / 1000, 1);
      const get = (path: string) => async () => {
        const res = await fetch(`${url}${path}`, { headers });
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`${path}: ${res.status}`);
      };
      // Warm-up (JIT, connections), not measured.
      await timedMs(get('/deployments?limit=20'), 5);
      const runs = size >= 50_000 ? 12 : 40;
      const list = await timedMs(get('/deployments?limit=20'), runs);
      const filtered = await timedMs(get('/deployments?limit=20&app=bench-app-3&environment=dev&phase=rolled_back'), runs);
      const tickOnce = async () => {
        await sweeper.handler(timer, new InvocationContext({ invocationId: 'bench', functionName: 'sweeper' }));
      };
      // The first tick of the host's life runs the retention pass too (then every 10 minutes): not measured here.
      await tickOnce();
      const tick = await timedMs(tickOnce, size >= 50_000 ? 5 : 15);
      const c = countedStore(host);
      const cutoff = new Date(Date.now() - 1000 * 86_400_000);
      const retention = await timedMs(async () => void (await c.store.expired(cutoff, 100)), size >= 50_000 ? 5 : 15);
      const ack = await timedMs(
        async () => {
          const { after, delivery } = freshIds();
          const d = push(after, delivery);
          const res = await fetch(`${url}/github/webhook`, { method: 'POST', headers: d.headers, body: d.body });
          await res.arrayBuffer();
          if (res.status !== 202) throw new Error(`ack: ${res.status}`);
        },
        size >= 50_000 ? 60 : 150,
      );
      const sum = ack.reduce((a, b) => a + b, 0);
      const requests = {
        list: await c.count(() => c.store.page({ limit: 20 })),
        listFiltered: await c.count(() => c.store.page({ limit: 20, app: 'bench-app-3', environment: 'dev', phases: ['rolled_back'] })),
        // What a tick asks of storage: overdue releases, owed notices, the backfill marker.
        tick: await c.count(async () => {
          await c.store.overdue(new Date(), 100);
          await c.outbox.due(new Date(), 100);
          await c.store.backfill(100);
        }),
        retention: await c.count(() => c.store.expired(cutoff, 100)),
      };
      rows.push({
        stored: size,
        requests,
        seedS,
        listMs: { p50: round(median(list)), p90: round(percentile(list, 90)) },
        listFilteredMs: { p50: round(median(filtered)), p90: round(percentile(filtered, 90)) },
        tickMs: { p50: round(median(tick)), p90: round(percentile(tick, 90)) },
        retentionMs: { p50: round(median(retention)), p90: round(percentile(retention, 90)) },
        ackMs: { p50: round(median(ack)), p99: round(percentile(ack, 99)) },
        ackRps: round((ack.length / sum) * 1000, 0),
      });
      process.stderr.write(`bench history: ${JSON.stringify(rows.at(-1))}\n`);
    }
  } finally {
    await host.stop();
  }
  return rows;
}

/** The markdown rows for the README's benchmark table. */
export function historyTable(rows: HistoryRow[]): string {
  const first = rows[0];
  const last = rows.at(-1);
  const ratio = (f: (r: HistoryRow) => number) => (first && last && f(first) > 0 ? `${round(f(last) / f(first), 2)}×` : '—');
  const head = [
    'stored releases',
    'list, limit 20 (p50 / p90; storage requests)',
    'list, app+env+outcome (p50 / p90; requests)',
    'sweeper tick (p50 / p90; requests)',
    'retention scan, every 10 min (p50 / p90; requests)',
    'ack, 1 connection (p50 / p99)',
  ];
  const body = rows.map((r) => [
    r.stored.toLocaleString('en-US'),
    `${r.listMs.p50} / ${r.listMs.p90} ms; ${r.requests.list}`,
    `${r.listFilteredMs.p50} / ${r.listFilteredMs.p90} ms; ${r.requests.listFiltered}`,
    `${r.tickMs.p50} / ${r.tickMs.p90} ms; ${r.requests.tick}`,
    `${r.retentionMs.p50} / ${r.retentionMs.p90} ms; ${r.requests.retention}`,
    `${r.ackMs.p50} / ${r.ackMs.p99} ms (${r.ackRps} req/s)`,
  ]);
  const ratios = [
    `ratio ${last?.stored.toLocaleString('en-US') ?? ''} / ${first?.stored.toLocaleString('en-US') ?? ''} (p50)`,
    ratio((r) => r.listMs.p50),
    ratio((r) => r.listFilteredMs.p50),
    ratio((r) => r.tickMs.p50),
    ratio((r) => r.retentionMs.p50),
    ratio((r) => r.ackMs.p50),
  ];
  return [head, head.map(() => '---'), ...body, ratios].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = (process.argv[2] ?? '0,10000,100000').split(',').map(Number);
  const rows = await historyBench(sizes);
  process.stdout.write(`\n${historyTable(rows)}\n`);
  process.exit(0);
}
