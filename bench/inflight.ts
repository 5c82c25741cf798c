/**
 * Pipeline throughput with releases in flight: the local host in-process with the full sandbox (the
 * slots `npm start` uses) and a catalog of the two Tailspin apps plus 50 bench apps (bench/apps.ts).
 * K workers each keep one release of their own app in flight — push an image (ACR ImagePushed),
 * wait for the release's ending, push the next — for K = 1, 10 and 50. Per level: releases/min,
 * p50/p90 release time (202 of the push → terminal phase in the release view), the host's CPU (this
 * process: host + sandbox) and azurite's, and RSS. Then, at 50 in flight until 1,000 releases have
 * ended in all: RSS after each 250, and after a full GC, to show memory comes back.
 * A release that has not ended BENCH_OVERDUE_SECONDS (600) after its push is counted as overdue and
 * reported with where it stands (bench/overdue.ts); the worker moves on.
 * Run alone with `npx tsx bench/inflight.ts [seconds-per-level] [total]`.
 */
import { appendFileSync } from 'node:fs';
import { setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { sandboxSlots } from '../src/sandbox/index.js';
import { createLogger } from '../src/services/logger.js';
import type { FakeKubernetes } from '../src/sandbox/kubernetes/server.js';
import type { MonitorFake } from '../src/sandbox/monitor/fake.js';
import type { AcrFake } from '../src/sandbox/acr/fake.js';
import type { GitHubFake } from '../src/sandbox/github/server.js';
import { HEALTHY } from '../src/sandbox/monitor/slot.js';
import type { LocalHost } from '../src/local/host.js';
import { api, postEvents, startTestHost } from '../test/helpers/host.js';
import { appName, benchCatalog, benchManifests } from './apps.js';
import { deliver, type Answer } from './deliver.js';
import { whereIs, poisoned, type OverdueRelease } from './overdue.js';
import { FAST } from './pipeline.js';
import { procSample } from './proc.js';
import { percentile, round } from './stats.js';

const APPS = 50;
interface Step {
  at: string;
  to: string;
}

const OVERDUE_MS = Number(process.env.BENCH_OVERDUE_SECONDS ?? 600) * 1000;
const ENDED = ['succeeded', 'rolled_back', 'failed', 'blocked', 'unverified', 'superseded'];

export interface InflightLevel {
  inFlight: number;
  seconds: number;
  completed: number;
  releasesPerMin: number;
  p50S: number;
  p90S: number;
  outcomes: Record<string, number>;
  hostCpuPercent: number;
  /** Host CPU per ended release: what bounds throughput on an otherwise idle machine (cores / this). */
  hostCpuMsPerRelease: number;
  azuriteCpuPercent: number | undefined;
  rssMiB: number;
  /** Median time in each phase of the pipeline (s). */
  phaseP50S: Record<string, number>;
}

export interface MemoryPoint {
  completed: number;
  rssMiB: number;
  heapMiB: number;
  /** Memory outside the JS heap that V8 knows of (Buffers, ArrayBuffers): RSS minus these is mostly the allocator's high-water mark. */
  externalMiB: number;
}

export interface InflightResult {
  apps: number;
  levels: InflightLevel[];
  memory: MemoryPoint[];
  afterGc: MemoryPoint;
  /** Heap after a full GC, growth per 100 completed releases over the second half of the memory run (MiB). */
  heapPer100MiB: number;
  /** What the fakes in this process keep at the end (records are bounded: FAKE_RECORDS each; GitHub's deployments are its state). */
  fakes: Record<string, number>;
  /** Pushes the host refused (by status) and that were sent again. */
  refused: Record<string, number>;
  /** Releases not ended OVERDUE_MS after their push, and where each stood then. */
  overdue: OverdueRelease[];
  /** Work items parked in the poison queues at the end. */
  poisoned: Record<string, string[]>;
  kube: ReturnType<FakeKubernetes['stats']>;
}

const mib = (b: number) => round(b / 2 ** 20, 1);
/** A full collection without starting node with --expose-gc (the flag can be set at run time). */
function fullGc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

export async function inflight(levels = [1, 10, 50], secondsPerLevel = 60, total = 1000): Promise<InflightResult> {
  // BENCH_LOG=file: the host's warnings and errors there (a stuck release's story), nothing kept in memory.
  const log = process.env.BENCH_LOG;
  const logger = log
    ? createLogger({ service: 'bench', environment: 'bench', level: 'warn', sink: (l) => appendFileSync(log, `${l}\n`) })
    : undefined;
  const host = await startTestHost({ ...FAST, TAILSPIN_CATALOG: JSON.stringify(benchCatalog(APPS)) }, sandboxSlots, logger);
  try {
    return await measure(host, levels, secondsPerLevel, total);
  } finally {
    await host.stop();
  }
}

async function measure(host: LocalHost, levels: number[], secondsPerLevel: number, total: number): Promise<InflightResult> {
  const handle = <T>(name: string) => host.sandbox.find((s) => s.name === name)?.handle as T;
  const kube = handle<FakeKubernetes>('kubernetes');
  const monitor = handle<MonitorFake>('log-analytics');
  const acr = handle<AcrFake>('acr');
  const github = handle<GitHubFake>('github');
  await kube.seedFromManifests(await benchManifests(APPS));
  for (let i = 0; i < APPS; i++) monitor.setProfile(appName(i), HEALTHY, new Date(Date.now() - 3_600_000));

  let seq = 0;
  let completed = 0;
  /** Time spent in each phase (entering it → entering the next), per level. */
  const phases = new Map<string, number[]>();
  const addPhases = (timeline: Step[]) => {
    for (let i = 0; i + 1 < timeline.length; i++) {
      const ms = Date.parse(timeline[i + 1]!.at) - Date.parse(timeline[i]!.at);
      const list = phases.get(timeline[i]!.to) ?? [];
      list.push(ms);
      phases.set(timeline[i]!.to, list);
    }
  };
  const outcomes: Record<string, number> = {};
  const refused: Record<string, number> = {};
  /** Releases that had not ended OVERDUE_MS after their push (the worker moves on). */
  const overdue: OverdueRelease[] = [];
  const durations: number[] = [];
  /** One release of `app` from push to ending; resolves with its duration (ms). */
  const release = async (app: string): Promise<void> => {
    const n = ++seq;
    const digest = `sha256:${n.toString(16).padStart(8, '0').repeat(8)}`;
    const event = {
      id: `inflight-${n}`,
      eventType: 'Microsoft.ContainerRegistry.ImagePushed',
      eventTime: new Date().toISOString(),
      data: { target: { digest, repository: app, tag: `r${n}` }, request: { host: 'tailspinacr.azurecr.io' } },
    };
    const t0 = Date.now();
    // Sent again on any answer but a 2xx (a refusal is counted), as Event Grid would: bench/deliver.ts.
    const id = await deliver(
      async () => {
        const res = await postEvents(host, [event]);
        const retry = Number(res.headers.get('retry-after'));
        return { status: res.status, body: (await res.json()) as Answer['body'], ...(retry > 0 ? { retryAfterS: retry } : {}) };
      },
      { refused },
    );
    for (const end = t0 + OVERDUE_MS; Date.now() < end;) {
      await new Promise((r) => setTimeout(r, 250));
      const view = (await (await api(host, `/deployments/${id}`)).json()) as { phase: string; timeline?: Step[] };
      if (ENDED.includes(view.phase)) {
        durations.push(Date.now() - t0);
        addPhases(view.timeline ?? []);
        outcomes[view.phase] = (outcomes[view.phase] ?? 0) + 1;
        completed++;
        return;
      }
    }
    // Counted, not fatal: on a starved machine the tail can be long; where it stands tells slow from stuck.
    const where = await whereIs(host, id, app);
    overdue.push(where);
    process.stderr.write(`bench: overdue ${JSON.stringify(where)}\n`);
  };
  /** K workers, each on its own app, until `stop()` says so; returns when all have finished their last release. */
  const workers = (k: number, stop: () => boolean) =>
    Promise.all(
      Array.from({ length: k }, async (_, w) => {
        while (!stop()) await release(appName(w % APPS));
      }),
    );

  const out: InflightLevel[] = [];
  for (const k of levels) {
    durations.length = 0;
    phases.clear();
    for (const key of Object.keys(outcomes)) delete outcomes[key];
    const before = completed;
    const cpu0 = process.cpuUsage();
    const az0 = procSample(host.azurite?.pid);
    const t0 = Date.now();
    await workers(k, () => Date.now() - t0 > secondsPerLevel * 1000);
    const wallMs = Date.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const az1 = procSample(host.azurite?.pid);
    out.push({
      inFlight: k,
      seconds: round(wallMs / 1000, 0),
      completed: completed - before,
      releasesPerMin: round(((completed - before) / wallMs) * 60_000, 1),
      p50S: round(percentile(durations, 50) / 1000, 1),
      p90S: round(percentile(durations, 90) / 1000, 1),
      outcomes: { ...outcomes },
      hostCpuPercent: round(((cpu.user + cpu.system) / 1000 / wallMs) * 100, 0),
      hostCpuMsPerRelease: round((cpu.user + cpu.system) / 1000 / Math.max(1, completed - before), 0),
      azuriteCpuPercent: az0 && az1 ? round(((az1.cpuMs - az0.cpuMs) / wallMs) * 100, 0) : undefined,
      rssMiB: mib(process.memoryUsage().rss),
      phaseP50S: Object.fromEntries([...phases].map(([phase, ms]) => [phase, round(percentile(ms, 50) / 1000, 1)])),
    });
    process.stderr.write(`bench: ${JSON.stringify(out.at(-1))}\n`);
  }

  // Memory over many releases: 50 in flight until `total` have ended, RSS at each quarter.
  // Each point after a full collection, so it shows what is kept, not what is not yet collected.
  const memory: MemoryPoint[] = [];
  const point = (): MemoryPoint => {
    fullGc();
    const m = process.memoryUsage();
    if (process.env.BENCH_HEAP_SNAPSHOTS) writeHeapSnapshot(`${process.env.BENCH_HEAP_SNAPSHOTS}/inflight-${completed}.heapsnapshot`);
    return { completed, rssMiB: mib(m.rss), heapMiB: mib(m.heapUsed), externalMiB: mib(m.external) };
  };
  memory.push(point());
  const step = total / 4;
  let next = (Math.floor(completed / step) + 1) * step;
  await workers(APPS, () => {
    if (completed >= next) {
      memory.push(point());
      next += step;
      process.stderr.write(`bench: ${JSON.stringify(memory.at(-1))}\n`);
    }
    return completed >= total;
  });
  memory.push(point());
  // Once the last releases' sockets and timers are done: the growth that does not come back.
  await new Promise((r) => setTimeout(r, 5000));
  const afterGc = point();
  const fakes = {
    acrCalls: acr.calls.length,
    githubCalls: github.calls.length,
    githubDeployments: github.state.deployments.length,
    monitorQueries: monitor.queries.length,
  };
  const heapPer100MiB = perHundred(memory, total);
  return {
    apps: APPS,
    levels: out,
    memory,
    afterGc,
    heapPer100MiB,
    fakes,
    refused,
    overdue,
    poisoned: await poisoned(host),
    kube: kube.stats(),
  };
}

/**
 * Heap growth per 100 releases from the first point at or past half of `total` to the first at or past
 * `total` (50 still in flight at both; the points after the last releases ended give memory back).
 */
export function perHundred(memory: MemoryPoint[], total: number): number {
  const last = memory.find((m) => m.completed >= total);
  const mid = memory.find((m) => m.completed >= total / 2);
  if (!last || !mid || last.completed <= mid.completed) return 0;
  return round(((last.heapMiB - mid.heapMiB) / (last.completed - mid.completed)) * 100, 2);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await inflight([1, 10, 50], Number(process.argv[2] ?? 60), Number(process.argv[3] ?? 1000));
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  process.exit(0);
}
