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
    const url = (name: Side['name']) => servers[SIDES.findIndex((s) => s.name === name)]?.info.url ?? '';
    for (const s of SIDES) await load(url(s.name), 2, 2, fresh());

    const byConnections: AckComparison['byConnections'] = [];
    for (const connections of [1, 10]) {
      const runs: Record<Side['name'], LoadFigures[]> = { ours: [], minimal: [] };
      for (let r = 0; r < rounds; r++) {
        const order: Side['name'][] = r % 2 === 0 ? ['ours', 'minimal'] : ['minimal', 'ours'];
        for (const name of order) runs[name].push(await load(url(name), connections, durationS, fresh()));
      }
      const ours = medianBy(runs.ours);
      const minimal = medianBy(runs.minimal);
      byConnections.push({
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
