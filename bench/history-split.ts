/**
 * Where a sweeper tick's and a listing's time goes on azurite as history grows (issue #19): the
 * store's own calls, one at a time, over 0 … N releases seeded in its layout (bench/seed-releases.ts,
 * 20 of them active), median of 15 each in ms. Beside them the owed-notices query against a table of
 * its own (empty) for comparison: azurite keeps one LokiJS collection per table and tests a query's
 * filter against every entity of it, so a query's cost follows the size of its table, whatever the
 * partition. Not part of `npm run bench`; run alone: npx tsx bench/history-split.ts [sizes, default 0,5000,20000]
 */
import { startAzurite } from '../src/local/azurite.js';
import { createStorageClients } from '../src/services/adapters/storage/clients.js';
import { createReleaseStore } from '../src/services/adapters/storage/release-store.js';
import { createNotifyOutbox } from '../src/services/adapters/storage/notify-outbox.js';
import { benchRelease, seedReleases } from './seed-releases.js';
import { median, round } from './stats.js';

const sizes = (process.argv[2] ?? '0,5000,20000').split(',').map(Number);
const az = await startAzurite({ deadlineMs: 30_000 });
const c = createStorageClients(az.connectionString);
const t = { releases: c.table('Releases'), dedup: c.table('Dedup'), index: c.table('ReleaseIndex'), due: c.table('DueReleases') };
const store = createReleaseStore(t);
const outboxShared = createNotifyOutbox(t.releases);
const outboxOwn = createNotifyOutbox(c.table('NotifyOutbox'));
const apps = Array.from({ length: 10 }, (_, i) => `bench-app-${i}`);
const t0 = Date.now() - 3_600_000;
let stored = 0;
const time = async (f: () => Promise<unknown>, n = 15) => {
  await f();
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await f();
    xs.push(performance.now() - s);
  }
  return round(median(xs), 1);
};
for (const size of sizes) {
  if (size > stored) {
    const rs = Array.from({ length: size - stored }, (_, k) => {
      const i = stored + k;
      const r = benchRelease(i, new Date(t0 - i * 600_000), apps);
      return i < 20 ? { ...r, phase: 'verifying' as const, nextCheckAt: new Date(t0 + 30 * 86_400_000).toISOString() } : r;
    });
    await seedReleases(t, rs);
    stored = size;
  }
  const cutoff = new Date(Date.now() - 1000 * 86_400_000);
  const row = {
    stored: size,
    due: await time(() => store.overdue(new Date(), 100)),
    outboxInReleases: await time(() => outboxShared.due(new Date(), 100)),
    outboxOwnTable: await time(() => outboxOwn.due(new Date(), 100)),
    backfill: await time(() => store.backfill(100)),
    retentionScan: await time(() => store.expired(cutoff, 100)),
    list20: await time(() => store.page({ limit: 20 })),
    listFiltered: await time(() => store.page({ limit: 20, app: 'bench-app-3', environment: 'dev', phases: ['rolled_back'] })),
  };
  process.stdout.write(`${JSON.stringify(row)}\n`);
}
await az.stop();
process.exit(0);
