/**
 * Scale-out: the same mixed storm (bench figures of test/helpers/storm.ts) against 1 and then 3
 * local hosts, each in its own process, sharing one azurite and one sandbox (the first host's).
 * Each size gets a fresh world. Prints releases per minute from the first delivery to the last
 * release's end, the acknowledgement rate, and the invariants (split answers, overlaps, stuck).
 */
import { fireStorm, settleStorm, stormPlan, stormWorld, type StormReport } from '../test/helpers/storm.js';
import { startHost } from './webhook.js';

export interface StormFigures extends StormReport {
  hosts: number;
  apps: number;
  deliveries: number;
  /** Deliveries answered per second while the storm was sent. */
  ackPerSecond: number;
  statuses: Record<string, number>;
}

async function once(root: string, hosts: number, apps: number, images: number, deadlineS: number): Promise<StormFigures> {
  const world = await stormWorld(apps);
  const stops: (() => Promise<void>)[] = [];
  try {
    const common = { STORM_ROOT: world.root, STORM_ENV: JSON.stringify(world.env), STORM_APPS: JSON.stringify(world.apps) };
    const first = await startHost<{ url: string; shared: Record<string, string> }>(root, 'storm-host.ts', {
      ...common,
      STORM_ROLE: 'first',
    });
    stops.unshift(first.stop);
    const others = await Promise.all(
      Array.from({ length: hosts - 1 }, () =>
        startHost<{ url: string }>(root, 'storm-host.ts', {
          ...common,
          STORM_ROLE: 'other',
          STORM_SHARED: JSON.stringify(first.info.shared),
        }),
      ),
    );
    stops.unshift(...others.map((o) => o.stop));
    const urls = [first.info.url, ...others.map((o) => o.info.url)];
    const events = stormPlan(world.apps, images);
    const sent = await fireStorm(urls, events, 8);
    const report = await settleStorm(first.info.url, sent, deadlineS * 1000);
    const deliveries = events.length * 2;
    return {
      hosts,
      apps,
      deliveries,
      ackPerSecond: Math.round(deliveries / ((sent.answeredAt - sent.sentAt) / 1000)),
      statuses: sent.statuses,
      ...report,
    };
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
    await world.cleanup();
  }
}

export async function stormBench(
  root: string,
  opts: { sizes?: number[]; apps?: number; images?: number; deadlineS?: number } = {},
): Promise<StormFigures[]> {
  const out: StormFigures[] = [];
  for (const hosts of opts.sizes ?? [1, 3]) out.push(await once(root, hosts, opts.apps ?? 50, opts.images ?? 2, opts.deadlineS ?? 600));
  return out;
}
