/**
 * Only the acknowledgement against the minimal reference server (`npx tsx bench/ack.ts`; ACK_ROUNDS,
 * ACK_SECONDS set the rounds and their length): the figures of bench/ack-vs-minimal.ts as JSON,
 * with the 1-minute load average before and after.
 */
import { loadavg } from 'node:os';
import { repoRoot } from '../test/helpers/fixtures.js';
import { ackVsMinimal } from './ack-vs-minimal.js';

const before = loadavg()[0];
const ack = await ackVsMinimal(repoRoot, {
  rounds: Number(process.env.ACK_ROUNDS ?? '3'),
  durationS: Number(process.env.ACK_SECONDS ?? '5'),
});
const short = ack.byConnections.map((b) => ({
  connections: b.connections,
  ours: { rps: b.ours.throughputRps, ...b.ours.latencyMs },
  minimal: { rps: b.minimal.throughputRps, ...b.minimal.latencyMs },
  ratio: b.ratio,
  cpuMsPerAck: b.cpuMsPerAck,
  cpuRatio: b.cpuRatio,
}));
process.stdout.write(
  `${JSON.stringify({ at: new Date().toISOString(), load1m: { before, after: loadavg()[0] }, byConnections: short, storage: ack.storageRequestsPerAck }, null, 2)}\n`,
);
process.exit(0);
