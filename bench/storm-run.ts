/**
 * Only the scale-out storm, with its knobs (`npx tsx bench/storm-run.ts`): STORM_SIZES (hosts, e.g.
 * "1,3"), STORM_APPS, STORM_IMAGES (ImagePushed events per app), STORM_SEPARATE=1 (the fakes and
 * azurite in a process of their own), STORM_QUEUE (the hosts' queue batchSize/newBatchThreshold, e.g. "1/0"),
 * STORM_DEADLINE (seconds to wait for the releases to end), STORM_CHECKOUT (the hosts from another checkout).
 * Prints each size's figures as JSON lines.
 */
import { repoRoot } from '../test/helpers/fixtures.js';
import { stormBench } from './storm.js';

const sizes = (process.env.STORM_SIZES ?? '1,3').split(',').map(Number);
for (const hosts of sizes) {
  const [f] = await stormBench(process.env.STORM_CHECKOUT ?? repoRoot, {
    sizes: [hosts],
    apps: Number(process.env.STORM_APPS ?? '20'),
    images: Number(process.env.STORM_IMAGES ?? '2'),
    separateSandbox: process.env.STORM_SEPARATE === '1',
    ...(process.env.STORM_DEADLINE ? { deadlineS: Number(process.env.STORM_DEADLINE) } : {}),
  });
  process.stdout.write(`${JSON.stringify(f)}\n`);
}
process.exit(0);
