/**
 * The dashboard with 5,000 releases in the store: the API reads it makes and its first render in
 * Chromium. Seeds releases straight into azurite (entity-group batches in the store's own layout,
 * each with a scan verdict and measurements, as big as real ones), then measures, median of 5:
 *  - GET /api/environments, GET /api/deployments?limit=25 (plain, filtered by phase) over HTTP;
 *  - navigation → the board's cells rendered with the latest release, and → the history's first page.
 * Run: npx tsx bench/dashboard.ts [releases] (loopback only; needs /usr/bin/chromium).
 */
import type { TransactionAction } from '@azure/data-tables';
import { partitionOf, releaseEntity, releaseRowKey } from '../src/services/adapters/storage/entities.js';
import type { Release } from '../src/services/domain/release.js';
import { api, FUNCTION_KEY, startTestHost } from '../test/helpers/host.js';
import { launch, newPage } from '../test/helpers/browser.js';
import { median, round } from './stats.js';

const N = Number(process.argv[2] ?? 5000);
const APPS = ['tailspin-server', 'tailspin-client'];
const PHASES: Release['phase'][] = ['succeeded', 'succeeded', 'succeeded', 'rolled_back', 'blocked', 'superseded'];

function release(i: number, at: Date): Release {
  const app = APPS[i % APPS.length] ?? 'tailspin-server';
  const digest = `sha256:${i.toString(16).padStart(64, '0')}`;
  const id = `r-${at.getTime().toString(36)}-${i.toString(16).padStart(6, '0').slice(-6)}`;
  const thresholds = { errorRateMax: 0.01, p95MsMax: 2000, minRequests: 50 };
  return {
    id,
    app,
    environment: 'dev',
    kind: 'image',
    phase: PHASES[i % PHASES.length] ?? 'succeeded',
    image: { registry: 'tailspinacr.azurecr.io', repository: app, digest, tag: `v${i}` },
    commit: i.toString(16).padStart(40, 'a'),
    source: { door: i % 7 === 0 ? 'manual' : 'acr', eventId: `bench-${i}` },
    correlationId: `bench-${i}`,
    createdAt: at.toISOString(),
    updatedAt: at.toISOString(),
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
      measurements: { requests: 1500, failures: 3, errorRate: 0.002, p95Ms: 180, at: at.toISOString(), from: at.toISOString(), thresholds },
      baseline: { requests: 1400, failures: 2, errorRate: 0.0014, p95Ms: 170, from: at.toISOString(), to: at.toISOString() },
    },
    timeline: [],
  };
}

async function seed(host: Awaited<ReturnType<typeof startTestHost>>): Promise<void> {
  const table = host.services.storage.table(`${host.config.TAILSPIN_TABLE_PREFIX}Releases`);
  await table.createTable();
  const start = Date.now() - N * 60_000;
  const byPartition = new Map<string, TransactionAction[]>();
  for (let i = 0; i < N; i++) {
    const r = release(i, new Date(start + i * 60_000));
    const pk = partitionOf(r.app, r.environment);
    const list = byPartition.get(pk) ?? [];
    list.push(['create', releaseEntity(r, releaseRowKey(r.id, new Date(r.createdAt)))]);
    byPartition.set(pk, list);
  }
  for (const actions of byPartition.values())
    for (let i = 0; i < actions.length; i += 100) await table.submitTransaction(actions.slice(i, i + 100));
}

async function timed(path: string): Promise<number> {
  const t = performance.now();
  const res = await api(hostRef, path);
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return performance.now() - t;
}

let hostRef: Awaited<ReturnType<typeof startTestHost>>;

async function main(): Promise<void> {
  hostRef = await startTestHost();
  const t0 = performance.now();
  await seed(hostRef);
  console.log(`seeded ${N} releases in ${round((performance.now() - t0) / 1000, 1)} s`);
  const runs = 5;
  const api5 = async (path: string) => {
    const xs: number[] = [];
    for (let i = 0; i < runs; i++) xs.push(await timed(path));
    return round(median(xs), 0);
  };
  console.log(`GET /api/environments                     median ${await api5('/environments')} ms`);
  console.log(`GET /api/deployments?limit=25             median ${await api5('/deployments?limit=25')} ms`);
  console.log(`GET /api/deployments?phase=rolled_back…   median ${await api5('/deployments?limit=25&phase=rolled_back')} ms`);

  const browser = await launch();
  const board: number[] = [];
  const history: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const { context, page } = await newPage(browser);
      let t = performance.now();
      await page.goto(`${hostRef.url}/api/dashboard#key=${FUNCTION_KEY}`);
      await page
        .locator(N > 0 ? 'article.cell .latest a' : 'article.cell')
        .nth(1)
        .waitFor();
      board.push(performance.now() - t);
      t = performance.now();
      await page.goto(`${hostRef.url}/api/dashboard#/releases`);
      await (N > 0 ? page.locator('table.releases tbody tr').nth(Math.min(N, 25) - 1) : page.getByText('No release matches.')).waitFor();
      history.push(performance.now() - t);
      await context.close();
    }
  } finally {
    await browser.close();
    await hostRef.stop();
  }
  console.log(
    `first render, board (navigation → cells with their latest release)   median ${round(median(board), 0)} ms, max ${round(Math.max(...board), 0)} ms`,
  );
  console.log(
    `history first page (hash change → 25 rows)                          median ${round(median(history), 0)} ms, max ${round(Math.max(...history), 0)} ms`,
  );
}

await main();
