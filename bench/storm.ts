/**
 * Scale-out: the same mixed storm (bench figures of test/helpers/storm.ts) against 1 and then 3
 * local hosts, each in its own process, sharing one azurite and one sandbox. Each size gets a fresh
 * world. With `separateSandbox` the fakes and azurite run in a process of their own that does no
 * queue work, so every measured host is alike; otherwise the first host owns them (as
 * src/local/cluster.ts does). A short warm-up storm over 6 apps of their own comes first and is not
 * counted, so every host process has compiled its code and opened its connections. Prints releases per minute from the first delivery to the last
 * release's end and over the steady middle, the acknowledgement rate, the invariants (split
 * answers, overlaps, stuck), and how busy each process was (CPU seconds per second of the storm).
 */
import { loadavg } from 'node:os';
import { fireStorm, settleStorm, stormPlan, stormWorld, STORM_KEY, type StormReport, type StormSent } from '../test/helpers/storm.js';
import type { TelemetrySnapshot } from '../src/services/telemetry/port.js';
import { startHost } from './webhook.js';
import { readdirSync, readFileSync } from 'node:fs';
import { procSample } from './proc.js';
import type { HostStats } from './storm-stats.js';

export interface StormFigures extends StormReport {
  hosts: number;
  apps: number;
  deliveries: number;
  separateSandbox: boolean;
  /** Deliveries answered per second while the storm was sent. */
  ackPerSecond: number;
  statuses: Record<string, number>;
  /** Deliveries sent again after a connection error (by error code), and the most tries in a row one needed. */
  resent: StormSent['resent'];
  /** CPU seconds per second of the storm (1 = one core busy): each host, the sandbox process (if apart) and azurite. */
  busy: { hosts: number[]; sandbox?: number; azurite?: number };
  /**
   * Seconds spent ready to run but waiting for a core, per second of the storm (the kernel's run-queue
   * wait, /proc/<pid>/task/<tid>/schedstat): near or above `busy`, a process is held back by the machine.
   */
  waited: { hosts: number[]; sandbox?: number; azurite?: number };
  load1m: { before: number; after: number };
  /** Work counted inside each host (bench/storm-stats.ts) during the storm: the share each host took and the cost per release. */
  work: StormWork;
}

export interface StormWork {
  /** Per host: pipeline ticks (queue invocations), admissions, storage requests (table + queue). */
  perHost: {
    ticks: number;
    /** Mean wall time of one tick (its storage round trips, the fakes' answers, waits for the CPU). */
    tickMs: number;
    admissions: number;
    /** Storage requests apart from polls. */
    storage: number;
    /** Queue polls (receive messages) per second, all queues. */
    pollsPerSecond: number;
    /** Outgoing requests by destination, and their mean time to answer (ms). */
    requests: Record<string, number>;
    requestMeanMs: Record<string, number>;
    /** How long ready work waited for this process to run (event-loop delay over the storm). */
    loopDelayMs: HostStats['loopDelayMs'];
    /** Invocations per queue function and timer, and log lines by message, during the storm. */
    invocations: Record<string, number>;
    logs: Record<string, number>;
  }[];
  /** Totals over all hosts divided by the releases of the storm (releases that ended, deployed or not). */
  perRelease: {
    ticks: number;
    /** Saves that lost the compare-and-swap to another tick ("release changed under us"). */
    casConflicts: number;
    /** Phase transitions saved: ticks beyond these looked and found nothing to change yet (a wait, or a duplicate). */
    transitions: number;
    /** Releases the sweeper found overdue and queued again (a tick that was due but had not run for 60 s). */
    sweeperRedrives: number;
    /** Storage requests (table and queue) apart from queue polls. */
    storageRequests: number;
    /** CPU ms: all hosts together, azurite, the fakes' process. */
    cpuMs: { hosts: number; azurite?: number; sandbox?: number };
  };
  /** Seconds a tick ran after its release was due (ticks that were late at all): mean and worst, over all hosts. */
  lagS: { ticks: number; mean: number; max: number };
  /** Log lines of note, summed over hosts (warnings and errors, by message). */
  warnings: Record<string, number>;
}

interface Info {
  url: string;
  statsUrl?: string;
  shared?: Record<string, string>;
  azuritePid?: number;
}

async function once(
  root: string,
  opts: { hosts: number; apps: number; images: number; deadlineS: number; separateSandbox: boolean },
): Promise<StormFigures> {
  // The measured apps, and a few more for a warm-up storm first: each host process compiles and JITs its code
  // and opens its connections on its first ticks, and three cold processes would charge that three times.
  const world = await stormWorld(opts.apps + WARM_APPS);
  const measured = world.apps.slice(0, opts.apps);
  const stops: (() => Promise<void>)[] = [];
  const load0 = loadavg()[0] ?? 0;
  try {
    const common = { STORM_ROOT: world.root, STORM_ENV: JSON.stringify(world.env), STORM_APPS: JSON.stringify(world.apps) };
    const owner = await startHost<Info>(root, 'storm-host.ts', { ...common, STORM_ROLE: opts.separateSandbox ? 'sandbox' : 'first' });
    stops.unshift(owner.stop);
    const others = await Promise.all(
      Array.from({ length: opts.separateSandbox ? opts.hosts : opts.hosts - 1 }, () =>
        startHost<Info>(root, 'storm-host.ts', { ...common, STORM_ROLE: 'other', STORM_SHARED: JSON.stringify(owner.info.shared) }),
      ),
    );
    stops.unshift(...others.map((o) => o.stop));
    const hosts = opts.separateSandbox ? others : [owner, ...others];
    const urls = hosts.map((h) => h.info.url);
    const cpu = () => ({
      hosts: hosts.map((h) => procSample(h.pid)?.cpuMs ?? 0),
      sandbox: opts.separateSandbox ? (procSample(owner.pid)?.cpuMs ?? 0) : undefined,
      azurite: procSample(owner.info.azuritePid)?.cpuMs,
    });
    const waits = () => ({
      hosts: hosts.map((h) => runqueueWaitMs(h.pid) ?? 0),
      sandbox: opts.separateSandbox ? (runqueueWaitMs(owner.pid) ?? 0) : undefined,
      azurite: runqueueWaitMs(owner.info.azuritePid),
    });
    const stats = (path = '') =>
      Promise.all(hosts.map(async (h) => (await (await fetch(`${h.info.statsUrl ?? ''}${path}`)).json()) as HostStats));
    const followUrl = (opts.separateSandbox ? owner : hosts[0])?.info.url ?? '';
    const warmSent = await fireStorm(urls, stormPlan(world.apps.slice(opts.apps), 1), 8);
    const warm = await settleStorm(followUrl, warmSent, 120_000, owner.info.shared ?? {});
    if (warm.stuck.length > 0) throw new Error(`storm warm-up: ${warm.stuck.length} releases did not end`);
    // And past every host's first sweeper tick (30 s after it started): on a fresh store that tick runs the one-off
    // index backfill, on each host that reaches it before the marker says done — a start-up cost, not the storm's.
    for (const until = Date.now() + 60_000; Date.now() < until; await new Promise((r) => setTimeout(r, 500)))
      if ((await stats()).every((h) => (h.invocations.sweeper?.ms ?? 0) > 0)) break; // ms is added when a tick ends
    const events = stormPlan(measured, opts.images);
    const lagBefore = await queueLag(hosts.map((h) => h.info.url));
    const statsBefore = await stats('/reset');
    const before = cpu();
    const waitedBefore = waits();
    const began = Date.now();
    const sent = await fireStorm(urls, events, 8);
    // Followed through the fakes' host when it is apart (it reads the same storage and does no queue work), so the
    // listing every second does not land on a host being measured and the per-release counts are the pipeline's own.
    const report = await settleStorm(followUrl, sent, opts.deadlineS * 1000, owner.info.shared ?? {});
    const after = cpu();
    const waitedAfter = waits();
    const statsAfter = await stats();
    const lagAfter = await queueLag(hosts.map((h) => h.info.url));
    const perS = (a?: number, b?: number) =>
      a === undefined || b === undefined ? undefined : Math.round(((b - a) / (Date.now() - began)) * 100) / 100;
    const deliveries = events.length * 2;
    const sandbox = perS(before.sandbox, after.sandbox);
    const azurite = perS(before.azurite, after.azurite);
    return {
      hosts: opts.hosts,
      apps: opts.apps,
      deliveries,
      separateSandbox: opts.separateSandbox,
      ackPerSecond: Math.round(deliveries / ((sent.answeredAt - sent.sentAt) / 1000)),
      statuses: sent.statuses,
      resent: sent.resent,
      busy: {
        hosts: before.hosts.map((b, i) => perS(b, after.hosts[i]) ?? 0),
        ...(sandbox !== undefined ? { sandbox } : {}),
        ...(azurite !== undefined ? { azurite } : {}),
      },
      waited: {
        hosts: waitedBefore.hosts.map((b, i) => perS(b, waitedAfter.hosts[i]) ?? 0),
        ...(perS(waitedBefore.sandbox, waitedAfter.sandbox) !== undefined
          ? { sandbox: perS(waitedBefore.sandbox, waitedAfter.sandbox) }
          : {}),
        ...(perS(waitedBefore.azurite, waitedAfter.azurite) !== undefined
          ? { azurite: perS(waitedBefore.azurite, waitedAfter.azurite) }
          : {}),
      },
      load1m: { before: load0, after: loadavg()[0] ?? 0 },
      work: workOf(statsBefore, statsAfter, report.releases, Date.now() - began, lagOf(lagBefore, lagAfter), {
        hosts: after.hosts.reduce((a, b, i) => a + b - (before.hosts[i] ?? 0), 0),
        ...(after.azurite !== undefined && before.azurite !== undefined ? { azurite: after.azurite - before.azurite } : {}),
        ...(after.sandbox !== undefined && before.sandbox !== undefined ? { sandbox: after.sandbox - before.sandbox } : {}),
      }),
      ...report,
    };
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
    await world.cleanup();
  }
}

/** Run-queue wait of all a process's threads, in ms (the second field of schedstat, in ns). */
function runqueueWaitMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`))
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1] ?? 0);
    return ns / 1e6;
  } catch {
    return undefined;
  }
}

const diff = (a: Record<string, number>, b: Record<string, number>) =>
  Object.fromEntries(
    Object.entries(b)
      .map(([k, v]) => [k, v - (a[k] ?? 0)])
      .filter(([, v]) => v !== 0),
  ) as Record<string, number>;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const per = (n: number, releases: number) => Math.round((n / Math.max(1, releases)) * 100) / 100;

/** Apps of the warm-up storm before the measured one. */
const WARM_APPS = 6;

interface LagTotals {
  count: number;
  total: number;
  max: number;
}

/** The storm's own late ticks: the difference of the totals (the worst is the hosts' worst since they started). */
function lagOf(before: LagTotals, after: LagTotals): StormWork['lagS'] {
  const count = after.count - before.count;
  const total = after.total - before.total;
  return { ticks: count, mean: Math.round((total / Math.max(1, count)) * 100) / 100, max: Math.round(after.max * 10) / 10 };
}

/** How late ticks ran after their release was due (the hosts' tailspin.queue.lag), summed over all hosts. */
async function queueLag(urls: string[]): Promise<LagTotals> {
  let count = 0;
  let total = 0;
  let max = 0;
  for (const url of urls) {
    const snap = (await (await fetch(`${url}/api/metrics`, { headers: { 'x-functions-key': STORM_KEY } })).json()) as TelemetrySnapshot;
    for (const p of snap.metrics.find((m) => m.name === 'tailspin.queue.lag')?.points ?? []) {
      count += p.count ?? 0;
      total += p.sum ?? 0;
      max = Math.max(max, p.max ?? 0);
    }
  }
  return { count, total, max };
}

const POLL = 'queue GET messages';

function workOf(
  before: HostStats[],
  after: HostStats[],
  releases: number,
  elapsedMs: number,
  lagS: StormWork['lagS'],
  cpuMs: StormWork['perRelease']['cpuMs'],
): StormWork {
  const hosts = after.map((a, i) => {
    const b: HostStats = before[i] ?? { invocations: {}, logs: {}, requests: {}, requestMs: {}, loopDelayMs: a.loopDelayMs };
    const count = (name: string) => (a.invocations[name]?.count ?? 0) - (b.invocations[name]?.count ?? 0);
    const requests = diff(b.requests, a.requests);
    const ms = diff(b.requestMs, a.requestMs);
    const meanMs = Object.fromEntries(Object.entries(requests).map(([k, n]) => [k, Math.round(((ms[k] ?? 0) / n) * 10) / 10]));
    const wall = (name: string) => (a.invocations[name]?.ms ?? 0) - (b.invocations[name]?.ms ?? 0);
    return {
      ticks: count('pipeline'),
      tickMs: Math.round(wall('pipeline') / Math.max(1, count('pipeline'))),
      admissions: count('acrAdmissions'),
      invocations: Object.fromEntries(Object.keys(a.invocations).map((name) => [name, count(name)])),
      logs: diff(b.logs, a.logs),
      requests,
      meanMs,
      loopDelayMs: a.loopDelayMs,
    };
  });
  const logs = (message: string) => sum(hosts.map((h) => h.logs[message] ?? 0));
  // A poll ("queue GET messages") costs the same whether it finds work or not: counted apart, per host and second.
  const storage = (h: (typeof hosts)[number]) =>
    sum(Object.entries(h.requests).flatMap(([k, v]) => ((k.startsWith('table') || k.startsWith('queue')) && k !== POLL ? [v] : [])));
  const warnings: Record<string, number> = {};
  for (const h of hosts)
    for (const [k, v] of Object.entries(h.logs)) if (!k.startsWith('info') && !k.startsWith('debug')) warnings[k] = (warnings[k] ?? 0) + v;
  return {
    perHost: hosts.map((h) => ({
      ticks: h.ticks,
      tickMs: h.tickMs,
      admissions: h.admissions,
      storage: storage(h),
      pollsPerSecond: Math.round(((h.requests[POLL] ?? 0) / elapsedMs) * 10_000) / 10,
      requests: h.requests,
      requestMeanMs: h.meanMs,
      loopDelayMs: h.loopDelayMs,
      invocations: h.invocations,
      logs: h.logs,
    })),
    perRelease: {
      ticks: per(sum(hosts.map((h) => h.ticks)), releases),
      casConflicts: per(logs('info release changed under us; looking again'), releases),
      transitions: per(logs('info release transition'), releases),
      sweeperRedrives: per(logs('warn release overdue; re-driving') + logs('warn notifications overdue; re-driving'), releases),
      storageRequests: per(sum(hosts.map(storage)), releases),
      cpuMs: Object.fromEntries(Object.entries(cpuMs).map(([k, v]) => [k, per(v ?? 0, releases)])) as StormWork['perRelease']['cpuMs'],
    },
    lagS,
    warnings,
  };
}

export async function stormBench(
  root: string,
  opts: { sizes?: number[]; apps?: number; images?: number; deadlineS?: number; separateSandbox?: boolean } = {},
): Promise<StormFigures[]> {
  const out: StormFigures[] = [];
  for (const hosts of opts.sizes ?? [1, 3])
    out.push(
      await once(root, {
        hosts,
        apps: opts.apps ?? 50,
        images: opts.images ?? 2,
        deadlineS: opts.deadlineS ?? 600,
        separateSandbox: opts.separateSandbox ?? false,
      }),
    );
  return out;
}
