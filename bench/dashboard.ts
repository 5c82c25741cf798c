/**
 * The dashboard with 5,000 releases in the store: the API reads it makes and its first render in
 * Chromium. Seeds releases straight into azurite (bench/seed-releases.ts: the store's own layout,
 * index rows included, each with a scan verdict and measurements, as big as real ones), then
 * measures, median of 5:
 *  - GET /api/environments, GET /api/deployments?limit=25 (plain, filtered by phase) over HTTP;
 *  - navigation → the board's cells rendered with the latest release, and → the history's first page.
 * Run: npx tsx bench/dashboard.ts [releases] (loopback only; needs /usr/bin/chromium).
 */
import { api, FUNCTION_KEY, startTestHost } from '../test/helpers/host.js';
import { launch, newPage } from '../test/helpers/browser.js';
import { median, round } from './stats.js';
import { benchRelease, seedReleases } from './seed-releases.js';

const N = Number(process.argv[2] ?? 5000);
const APPS = ['tailspin-server', 'tailspin-client'];

async function seed(host: Awaited<ReturnType<typeof startTestHost>>): Promise<void> {
  const prefix = host.config.TAILSPIN_TABLE_PREFIX;
  const table = (name: string) => host.services.storage.table(`${prefix}${name}`);
  const start = Date.now() - N * 60_000;
  const releases = Array.from({ length: N }, (_, i) => benchRelease(i, new Date(start + i * 60_000), APPS));
  await seedReleases({ releases: table('Releases'), index: table('ReleaseIndex'), due: table('DueReleases') }, releases);
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
