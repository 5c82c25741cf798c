/**
 * Before/after for the acknowledgement on a loaded machine: our server from several checkouts (a
 * `git archive` of a commit with node_modules linked is enough) and the minimal reference server,
 * against one azurite, taking turns round after round at 10 connections. Per side: throughput and
 * latency (median round) and CPU ms per ack of the server and of azurite (median round) — the CPU
 * figures hardly move with the machine's load, the throughput does.
 *   npx tsx bench/ack-compare.ts <checkout> [<checkout> …]   (ACK_ROUNDS, ACK_SECONDS, ACK_CONNECTIONS)
 */
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { startAzurite } from '../src/local/azurite.js';
import { repoRoot } from '../test/helpers/fixtures.js';
import { round } from './stats.js';
import { load, startHost, type LoadFigures } from './webhook.js';
import { freshIds, pushTemplate } from './webhook-payload.js';
import { procSample } from './proc.js';

const roots = process.argv.slice(2).map((r) => resolve(r));
const rounds = Number(process.env.ACK_ROUNDS ?? '5');
const seconds = Number(process.env.ACK_SECONDS ?? '5');
const connections = Number(process.env.ACK_CONNECTIONS ?? '10');
const push = pushTemplate();
const next = () => {
  const { after, delivery } = freshIds();
  return push(after, delivery);
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? 0;

const load0 = loadavg()[0];
const azurite = await startAzurite();
const sides = [
  ...roots.map((root) => ({ name: root, root, script: 'webhook-host.ts' })),
  { name: 'minimal', root: repoRoot, script: 'minimal-server.ts' },
];
const servers = await Promise.all(
  sides.map((s) => startHost<{ url: string }>(s.root, s.script, { AZURE_STORAGE: azurite.connectionString })),
);
try {
  for (const s of servers) await load(s.info.url, 2, 2, next);
  const runs = sides.map(() => ({ figures: [] as LoadFigures[], server: [] as number[], azurite: [] as number[] }));
  for (let r = 0; r < rounds; r++) {
    // A different order each round, so drift of the machine spreads over all sides.
    const order = sides.map((_, i) => (i + r) % sides.length);
    for (const i of order) {
      const s = servers[i];
      const run = runs[i];
      if (!s || !run) continue;
      const [a0, z0] = [procSample(s.pid)?.cpuMs ?? 0, procSample(azurite.pid)?.cpuMs ?? 0];
      const f = await load(s.info.url, connections, seconds, next);
      run.figures.push(f);
      run.server.push(((procSample(s.pid)?.cpuMs ?? 0) - a0) / f.requests);
      run.azurite.push(((procSample(azurite.pid)?.cpuMs ?? 0) - z0) / f.requests);
    }
  }
  const out = sides.map((s, i) => {
    const run = runs[i] ?? { figures: [], server: [], azurite: [] };
    return {
      side: s.name,
      rps: median(run.figures.map((f) => f.throughputRps)),
      p50: median(run.figures.map((f) => f.latencyMs.p50)),
      p99: median(run.figures.map((f) => f.latencyMs.p99)),
      cpuMsPerAck: { server: round(median(run.server), 2), azurite: round(median(run.azurite), 2) },
      rpsPerRound: run.figures.map((f) => f.throughputRps),
    };
  });
  process.stdout.write(
    `${JSON.stringify({ at: new Date().toISOString(), connections, rounds, seconds, load1m: { before: load0, after: loadavg()[0] }, sides: out }, null, 2)}\n`,
  );
} finally {
  for (const s of servers) await s.stop().catch(() => undefined);
  await azurite.stop();
}
process.exit(0);
