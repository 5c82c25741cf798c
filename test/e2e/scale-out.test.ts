/**
 * Issue 19, scale-out proven: three local hosts against one azurite and one sandbox (as instances
 * of one function app share a storage account and a cluster), a mixed storm — ImagePushed events,
 * GitHub pushes and manual deploys over several apps, every webhook delivered twice to different
 * hosts — and the invariants: exactly one release per event (both deliveries name the same ids),
 * one writer per Deployment, no lost and no stuck release, and every host took part of the work.
 * bench/storm.ts measures the throughput and the work per release.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCluster, type LocalCluster } from '../../src/local/cluster.js';
import { sandboxSlots } from '../../src/sandbox/index.js';
import { HEALTHY } from '../../src/sandbox/monitor/slot.js';
import type { MonitorFake } from '../../src/sandbox/monitor/fake.js';
import { silentLogger } from '../../src/services/logger.js';
import { fireStorm, settleStorm, stormPlan, stormWorld, type StormWorld } from '../helpers/storm.js';

const APPS = 12;
let world: StormWorld;
let cluster: LocalCluster;
/** Per host: the queue invocations it ran, by function (counted around the registered handlers). */
let ran: Record<string, number>[];

beforeAll(async () => {
  world = await stormWorld(APPS);
  cluster = await startLocalCluster({
    hosts: 3,
    root: world.root,
    env: world.env,
    azuritePorts: 'random',
    port: 0,
    slots: sandboxSlots,
    queueIdleMs: 50,
    overrides: { logger: silentLogger },
  });
  const monitor = cluster.hosts[0]?.sandbox.find((s) => s.name === 'log-analytics')?.handle as MonitorFake;
  for (const app of world.apps) monitor.setProfile(app, HEALTHY, new Date(0));
  // The poller reads `handler` at each message, so a wrapper set now sees every invocation of the storm.
  ran = cluster.hosts.map((h) => {
    const counts: Record<string, number> = {};
    for (const [name, reg] of h.registrations.queues) {
      const handler = reg.handler;
      reg.handler = (message, ctx) => {
        counts[name] = (counts[name] ?? 0) + 1;
        return handler(message, ctx);
      };
    }
    return counts;
  });
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
  await world?.cleanup();
});

describe('three hosts, one storage, one sandbox', { timeout: 240_000 }, () => {
  it('every host takes work from the shared queues', () => {
    expect(cluster.hosts).toHaveLength(3);
    expect(new Set(cluster.hosts.map((h) => h.url)).size).toBe(3);
    expect(new Set(cluster.hosts.map((h) => h.config.AzureWebJobsStorage)).size).toBe(1);
  });

  it('a mixed storm, each delivery twice to different hosts: one release per event, one writer per Deployment, none lost or stuck', async () => {
    const events = stormPlan(world.apps, 2);
    const sent = await fireStorm(
      cluster.hosts.map((h) => h.url),
      events,
    );
    const report = await settleStorm(cluster.hosts[0]?.url ?? '', sent, 180_000, cluster.shared);
    expect(report.events).toBe(events.length);
    expect(report.split).toBe(0);
    expect(report.stuck).toEqual([]);
    expect(report.overlaps).toEqual([]);
    // The check had something to check: every release that deployed, and its changes as the cluster saw them.
    // (Not "every release that succeeded": a push's build release succeeds without deploying.)
    expect(report.deployed).toBeGreaterThan(0);
    expect(report.oneWriter.spans).toBeGreaterThanOrEqual(report.deployed);
    expect(report.oneWriter.writes).toBeGreaterThanOrEqual(report.deployed);
    // Every event's reserved id became a release (digests are new and manual deploys skip semantic dedup).
    expect(report.releases + report.folded).toBe(events.length);
    expect(report.releases).toBe(events.length);
    expect(report.phases.succeeded ?? 0).toBeGreaterThan(0);
    // Scale-out, not three idle copies: every host took pipeline ticks (about 6 per release) from the shared
    // queue, and admissions were shared too. There are only about 35 admission messages and a poller takes up
    // to 16 at once, so one host can miss all of them by chance (seen once in a run on a quiet machine).
    for (const counts of ran) expect(counts.pipeline ?? 0).toBeGreaterThan(0);
    expect(ran.filter((counts) => (counts.acrAdmissions ?? 0) > 0).length).toBeGreaterThanOrEqual(2);
  });
});
