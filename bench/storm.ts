/**
 * Scale-out: the same mixed storm (bench figures of test/helpers/storm.ts) against 1 and then 3
 * local hosts, each in its own process, sharing one azurite and one sandbox. Each size gets a fresh
 * world. With `separateSandbox` the fakes and azurite run in a process of their own that does no
 * queue work, so every measured host is alike; otherwise the first host owns them (as
 * src/local/cluster.ts does). Prints releases per minute from the first delivery to the last
 * release's end and over the steady middle, the acknowledgement rate, the invariants (split
 * answers, overlaps, stuck), and how busy each process was (CPU seconds per second of the storm).
 */
import { loadavg } from 'node:os';
import { fireStorm, settleStorm, stormPlan, stormWorld, type StormReport } from '../test/helpers/storm.js';
import { startHost } from './webhook.js';
import { procSample } from './proc.js';

export interface StormFigures extends StormReport {
  hosts: number;
  apps: number;
  deliveries: number;
  separateSandbox: boolean;
  /** Deliveries answered per second while the storm was sent. */
  ackPerSecond: number;
  statuses: Record<string, number>;
  /** CPU seconds per second of the storm (1 = one core busy): each host, the sandbox process (if apart) and azurite. */
  busy: { hosts: number[]; sandbox?: number; azurite?: number };
  load1m: { before: number; after: number };
}

interface Info {
  url: string;
  shared?: Record<string, string>;
  azuritePid?: number;
}

async function once(
  root: string,
  opts: { hosts: number; apps: number; images: number; deadlineS: number; separateSandbox: boolean },
): Promise<StormFigures> {
  const world = await stormWorld(opts.apps);
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
    const events = stormPlan(world.apps, opts.images);
    const before = cpu();
    const began = Date.now();
    const sent = await fireStorm(urls, events, 8);
    const report = await settleStorm(hosts[0]?.info.url ?? '', sent, opts.deadlineS * 1000, owner.info.shared ?? {});
    const after = cpu();
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
      busy: {
        hosts: before.hosts.map((b, i) => perS(b, after.hosts[i]) ?? 0),
        ...(sandbox !== undefined ? { sandbox } : {}),
        ...(azurite !== undefined ? { azurite } : {}),
      },
      load1m: { before: load0, after: loadavg()[0] ?? 0 },
      ...report,
    };
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
    await world.cleanup();
  }
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
