/**
 * The Kubernetes fake's controller works from a queue: an idle cluster writes and syncs nothing, a
 * change to one Deployment syncs that one only, clocks (pod start, minReadySeconds, the progress
 * deadline) still fire with nothing else changing, and a deleted Deployment leaves no bookkeeping.
 * A fake clock drives it; tick() is called by hand.
 */
import { describe, expect, it, vi } from 'vitest';
import { handleResource } from '../../../src/sandbox/kubernetes/api.js';
import { Controller } from '../../../src/sandbox/kubernetes/controller.js';
import { eventRecorder } from '../../../src/sandbox/kubernetes/events.js';
import { pushBounded } from '../../../src/sandbox/records.js';
import { Store, type KObj } from '../../../src/sandbox/kubernetes/store.js';

const NS = 'apps';

function cluster(deployments: number) {
  let nowMs = Date.parse('2026-01-01T00:00:00Z');
  const now = () => new Date(nowMs);
  const store = new Store(now);
  const controller = new Controller(store, { now, podReadyDelayMs: 1000, crashIntervalMs: 10_000, timeScale: 1 });
  const call = (
    method: string,
    path: { kind: 'Deployment' | 'Namespace'; name?: string },
    body?: unknown,
    contentType = 'application/json',
  ) =>
    handleResource(store, now, {
      method,
      rt: path.kind === 'Namespace' ? store.typeFor('v1', 'Namespace') : store.typeFor('apps/v1', 'Deployment'),
      namespace: path.kind === 'Namespace' ? undefined : NS,
      name: path.name,
      query: new URLSearchParams(),
      contentType,
      body: body === undefined ? '' : JSON.stringify(body),
    });
  call('POST', { kind: 'Namespace' }, { metadata: { name: NS } });
  const names = Array.from({ length: deployments }, (_, i) => `app-${i}`);
  for (const name of names) {
    const labels = { app: name };
    const created = call(
      'POST',
      { kind: 'Deployment' },
      {
        metadata: { name },
        spec: {
          replicas: 2,
          minReadySeconds: 5,
          progressDeadlineSeconds: 60,
          selector: { matchLabels: labels },
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
          template: { metadata: { labels }, spec: { containers: [{ name, image: `${name}:1` }] } },
        },
      },
    );
    expect(created.status).toBe(201);
  }
  const deployment = (name: string) => store.get(store.typeFor('apps/v1', 'Deployment'), NS, name)!;
  /** Tick every second of fake time until `done` or `seconds` pass. */
  const run = (seconds: number, done: () => boolean = () => false) => {
    for (let s = 0; s < seconds && !done(); s++) {
      controller.tick();
      nowMs += 1000;
    }
    controller.tick();
  };
  const complete = (name: string, image: string) => {
    const d = deployment(name);
    const s = d.status ?? {};
    const containers = (d.spec?.template as { spec: { containers: { image: string }[] } }).spec.containers;
    return (
      containers[0]?.image === image &&
      s.observedGeneration === d.metadata.generation &&
      s.updatedReplicas === 2 &&
      s.availableReplicas === 2 &&
      s.replicas === 2
    );
  };
  return { store, controller, names, call, deployment, run, complete, advance: (ms: number) => (nowMs += ms) };
}

describe('the Kubernetes fake controller', () => {
  it('rolls every Deployment out, then writes nothing and keeps nothing queued however long it idles', () => {
    const c = cluster(20);
    c.run(30, () => c.names.every((n) => c.complete(n, `${n}:1`)));
    expect(c.names.filter((n) => !c.complete(n, `${n}:1`))).toEqual([]);
    c.run(2); // the last writes are looked at once more
    const rv = c.store.resourceVersion;
    c.run(600);
    expect(c.store.resourceVersion).toBe(rv);
    expect(c.controller.stats().queue).toEqual({ dirty: 0, waiting: 0 });
  });

  it('syncs only the Deployment that changed, and its clocks (pod start, minReadySeconds) finish the rollout', () => {
    const c = cluster(20);
    c.run(30, () => c.names.every((n) => c.complete(n, `${n}:1`)));
    c.run(2);
    const others = c.names.slice(1).map((n) => c.deployment(n).metadata.resourceVersion);
    const take = vi.spyOn(c.controller.queue, 'take');
    const patched = c.call(
      'PATCH',
      { kind: 'Deployment', name: 'app-0' },
      { spec: { template: { spec: { containers: [{ name: 'app-0', image: 'app-0:2' }] } } } },
      'application/strategic-merge-patch+json',
    );
    expect(patched.status).toBe(200);
    c.run(60, () => c.complete('app-0', 'app-0:2'));
    expect(c.complete('app-0', 'app-0:2')).toBe(true);
    const synced = new Set(take.mock.results.flatMap((r) => r.value as string[]));
    expect([...synced]).toEqual([`d/${NS}/app-0`]);
    expect(c.names.slice(1).map((n) => c.deployment(n).metadata.resourceVersion)).toEqual(others);
  });

  it('reports ProgressDeadlineExceeded when nothing but time changes', () => {
    const c = cluster(2);
    c.run(30, () => c.names.every((n) => c.complete(n, `${n}:1`)));
    c.controller.setImageBehaviour('app-0:bad', 'unready');
    c.call(
      'PATCH',
      { kind: 'Deployment', name: 'app-0' },
      { spec: { template: { spec: { containers: [{ name: 'app-0', image: 'app-0:bad' }] } } } },
      'application/strategic-merge-patch+json',
    );
    const progressing = () =>
      ((c.deployment('app-0').status?.conditions ?? []) as { type: string; reason: string }[]).find((x) => x.type === 'Progressing')
        ?.reason;
    c.run(5);
    expect(progressing()).toBe('NewReplicaSetCreated');
    // One jump over the deadline: only the Deployment's own clock can notice it.
    c.advance(61_000);
    c.controller.tick();
    expect(progressing()).toBe('ProgressDeadlineExceeded');
  });

  // A Deployment that cannot finish is looked at when something real happens (a restart, a
  // kubelet or controller retry, its progress deadline), never on every tick.
  it.each(['unready', 'crash', 'imagepull', 'unschedulable', 'quota'] as const)(
    'looks at a Deployment stuck with %s pods only when something happens, not every tick',
    (stuck) => {
      const c = cluster(2);
      c.run(30, () => c.names.every((n) => c.complete(n, `${n}:1`)));
      if (stuck === 'quota') c.controller.setReplicaFailure(NS, 'app-0', 'pods "app-0-x" is forbidden: exceeded quota: compute');
      else c.controller.setImageBehaviour('app-0:bad', stuck);
      c.call(
        'PATCH',
        { kind: 'Deployment', name: 'app-0' },
        { spec: { template: { spec: { containers: [{ name: 'app-0', image: 'app-0:bad' }] } } } },
        'application/strategic-merge-patch+json',
      );
      c.run(5);
      const take = vi.spyOn(c.controller.queue, 'take');
      // 40 ticks, one a second, inside the 60 s progress deadline; retries come every 10 s (crashIntervalMs).
      c.run(40);
      const syncs = take.mock.results.flatMap((r) => r.value as string[]);
      expect(syncs.every((k) => k === `d/${NS}/app-0`)).toBe(true);
      // At most a retry and the look at its own writes per 10 s.
      expect(syncs.length).toBeLessThanOrEqual(stuck === 'unready' || stuck === 'unschedulable' ? 0 : 2 * 4 + 2);
      take.mockClear();
      // The deadline still comes by the clock alone.
      c.run(30);
      const progressing = ((c.deployment('app-0').status?.conditions ?? []) as { type: string; reason: string }[]).find(
        (x) => x.type === 'Progressing',
      );
      expect(progressing?.reason).toBe('ProgressDeadlineExceeded');
    },
  );

  it('keeps no bookkeeping for a Deployment that was deleted', () => {
    const c = cluster(10);
    c.run(30, () => c.names.every((n) => c.complete(n, `${n}:1`)));
    expect(c.controller.stats()).toMatchObject({ podSims: 20, rollouts: 10 });
    for (const name of c.names) expect(c.call('DELETE', { kind: 'Deployment', name }).status).toBe(200);
    c.run(2);
    expect(c.controller.stats()).toEqual({ podSims: 0, rollouts: 0, queue: { dirty: 0, waiting: 0 } });
    expect(c.store.counts()).not.toHaveProperty('Pod');
    expect(c.store.counts()).not.toHaveProperty('ReplicaSet');
  });
});

describe('what the fake records is bounded', () => {
  const obj = (uid: string): KObj => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: uid, namespace: NS, uid } });

  it('keeps at most the newest events, aggregating repeats', () => {
    const nowMs = 0;
    const store = new Store(() => new Date(nowMs));
    const emit = eventRecorder(store, () => new Date(nowMs), { ttlMs: 3_600_000, max: 10 });
    for (let i = 0; i < 50; i++) emit(obj(`p${i}`), 'Normal', 'Started', 'Started container x', 'kubelet');
    emit(obj('p49'), 'Normal', 'Started', 'Started container x', 'kubelet');
    const events = store.list(store.typeFor('v1', 'Event'), NS);
    expect(events).toHaveLength(10);
    expect(events.map((e) => (e.involvedObject as { uid: string }).uid)).toEqual(Array.from({ length: 10 }, (_, i) => `p${40 + i}`));
    expect(events.find((e) => (e.involvedObject as { uid: string }).uid === 'p49')?.count).toBe(2);
  });

  it('lets events expire an hour after their last write, like the API server', () => {
    let nowMs = 0;
    const store = new Store(() => new Date(nowMs));
    const emit = eventRecorder(store, () => new Date(nowMs), { ttlMs: 3_600_000, max: 1000 });
    emit(obj('old'), 'Normal', 'Started', 'x', 'kubelet');
    emit(obj('kept'), 'Normal', 'Started', 'x', 'kubelet');
    nowMs = 3_000_000;
    emit(obj('kept'), 'Normal', 'Started', 'x', 'kubelet');
    nowMs = 3_700_000;
    emit(obj('new'), 'Normal', 'Started', 'x', 'kubelet');
    const uids = store.list(store.typeFor('v1', 'Event'), NS).map((e) => (e.involvedObject as { uid: string }).uid);
    expect(uids.sort()).toEqual(['kept', 'new']);
  });

  it('keeps the newest calls', () => {
    const list: number[] = [];
    for (let i = 0; i < 1000; i++) pushBounded(list, i, 100);
    expect(list.length).toBeLessThanOrEqual(100);
    expect(list.at(-1)).toBe(999);
    expect(list).toEqual(Array.from({ length: list.length }, (_, i) => 1000 - list.length + i));
  });
});
