/**
 * The webhook acknowledgement side by side with the minimal reference server (bench/minimal-server.ts)
 * in the same run, against the same azurite: signed pushes, a new delivery and commit each, at 1
 * and 10 connections; the two servers take turns (ours, minimal, minimal, ours, …) so drift of a
 * shared machine hits both. Storage requests per ack are counted in a separate short run through
 * a counting proxy (bench/storage-proxy.ts), never while latency is measured.
 */
import { startAzurite } from '../src/local/azurite.js';
import { round } from './stats.js';
import { load, startHost, type HostInfo, type LoadFigures } from './webhook.js';
import { freshIds, pushTemplate } from './webhook-payload.js';
import { countingProxy } from './storage-proxy.js';
import { procSample } from './proc.js';

interface Side {
  name: 'ours' | 'minimal';
  script: string;
}
const SIDES: Side[] = [
  { name: 'ours', script: 'webhook-host.ts' },
  { name: 'minimal', script: 'minimal-server.ts' },
];

export interface AckComparison {
  rounds: number;
  durationS: number;
  /** Per connection count, per side: the median round's figures (by throughput) and every round's. */
  byConnections: {
    connections: number;
    ours: LoadFigures;
    minimal: LoadFigures;
    ratio: { throughput: number; p50: number; p99: number };
    /**
     * CPU time per ack (median over the rounds) of the server and of azurite: unlike throughput it
     * hardly depends on how loaded the shared machine is, and on a machine of its own the
     * throughput of server + azurite on the same cores goes with the inverse of their sum.
     */
    cpuMsPerAck: Record<Side['name'], { server: number; azurite: number }>;
    cpuRatio: number;
  }[];
  storageRequestsPerAck: { ours: { table: number; queue: number }; minimal: { table: number; queue: number }; acks: number };
  targets: { p99Ms: number; p50Ratio: number; throughputRatio: number };
}

const fresh = () => {
  const push = pushTemplate();
  return () => {
    const { after, delivery } = freshIds();
    return push(after, delivery);
  };
};

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? 0;

const medianBy = (xs: LoadFigures[]): LoadFigures => {
  const sorted = [...xs].sort((a, b) => a.throughputRps - b.throughputRps);
  return sorted[Math.floor((sorted.length - 1) / 2)] as LoadFigures;
};

export async function ackVsMinimal(
  root: string,
  opts: { rounds?: number; durationS?: number; countAcks?: number } = {},
): Promise<AckComparison> {
  const rounds = opts.rounds ?? 3;
  const durationS = opts.durationS ?? 5;
  const countAcks = opts.countAcks ?? 100;
  const azurite = await startAzurite();
  const stops: (() => Promise<void>)[] = [() => azurite.stop()];
  try {
    const servers = await Promise.all(
      SIDES.map((s) => startHost<{ url: string }>(root, s.script, { AZURE_STORAGE: azurite.connectionString })),
    );
    stops.unshift(...servers.map((s) => s.stop));
    const server = (name: Side['name']) => servers[SIDES.findIndex((s) => s.name === name)];
    const url = (name: Side['name']) => server(name)?.info.url ?? '';
    const cpu = (name: Side['name']) => [procSample(server(name)?.pid)?.cpuMs ?? 0, procSample(azurite.pid)?.cpuMs ?? 0];
    for (const s of SIDES) await load(url(s.name), 2, 2, fresh());

    const byConnections: AckComparison['byConnections'] = [];
    for (const connections of [1, 10]) {
      const runs: Record<Side['name'], LoadFigures[]> = { ours: [], minimal: [] };
      const cpus: Record<Side['name'], { server: number[]; azurite: number[] }> = {
        ours: { server: [], azurite: [] },
        minimal: { server: [], azurite: [] },
      };
      for (let r = 0; r < rounds; r++) {
        const order: Side['name'][] = r % 2 === 0 ? ['ours', 'minimal'] : ['minimal', 'ours'];
        for (const name of order) {
          const [server0 = 0, azurite0 = 0] = cpu(name);
          const figures = await load(url(name), connections, durationS, fresh());
          const [server1 = 0, azurite1 = 0] = cpu(name);
          runs[name].push(figures);
          cpus[name].server.push((server1 - server0) / figures.requests);
          cpus[name].azurite.push((azurite1 - azurite0) / figures.requests);
        }
      }
      const ours = medianBy(runs.ours);
      const minimal = medianBy(runs.minimal);
      const perAck = (name: Side['name']) => ({
        server: round(median(cpus[name].server), 2),
        azurite: round(median(cpus[name].azurite), 2),
      });
      const cpuMsPerAck = { ours: perAck('ours'), minimal: perAck('minimal') };
      byConnections.push({
        cpuMsPerAck,
        cpuRatio: round(
          (cpuMsPerAck.ours.server + cpuMsPerAck.ours.azurite) / (cpuMsPerAck.minimal.server + cpuMsPerAck.minimal.azurite),
          2,
        ),
        connections,
        ours,
        minimal,
        ratio: {
          throughput: round(ours.throughputRps / minimal.throughputRps, 2),
          p50: round(ours.latencyMs.p50 / minimal.latencyMs.p50, 2),
          p99: round(ours.latencyMs.p99 / minimal.latencyMs.p99, 2),
        },
      });
    }
    const storageRequestsPerAck = await countStorage(root, countAcks);
    return { rounds, durationS, byConnections, storageRequestsPerAck, targets: { p99Ms: 50, p50Ratio: 2, throughputRatio: 0.5 } };
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
  }
}

/**
 * Each server once more, pointed at the counting proxy in front of a fresh azurite (so no backlog
 * of the timed runs is there for our parked consumer to find): sequential acks, storage requests counted.
 */
async function countStorage(root: string, acks: number) {
  const azurite = await startAzurite();
  const proxy = await countingProxy(azurite);
  const out: Record<Side['name'], { table: number; queue: number }> = { ours: { table: 0, queue: 0 }, minimal: { table: 0, queue: 0 } };
  try {
    for (const side of SIDES) {
      const server = await startHost<Partial<HostInfo> & { url: string }>(root, side.script, { AZURE_STORAGE: proxy.connectionString });
      try {
        const next = fresh();
        const send = async () => {
          const d = next();
          const res = await fetch(`${server.info.url}/api/github/webhook`, { method: 'POST', headers: d.headers, body: d.body });
          if (res.status !== 202) throw new Error(`bench: ${side.name} answered ${res.status}: ${await res.text()}`);
        };
        for (let i = 0; i < 10; i++) await send(); // tables and queues exist, clients warm
        proxy.reset();
        for (let i = 0; i < acks; i++) await send();
        const c = proxy.counts();
        out[side.name] = { table: round(c.table / acks, 2), queue: round(c.queue / acks, 2) };
      } finally {
        await server.stop();
      }
    }
  } finally {
    await proxy.stop();
    await azurite.stop();
  }
  return { ...out, acks };
}
