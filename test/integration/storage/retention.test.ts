import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Azurite } from '../../../src/local/azurite.js';
import { createReleaseStore } from '../../../src/services/adapters/storage/release-store.js';
import { createReleaseIndex } from '../../../src/services/adapters/storage/release-index.js';
import { keepHistory } from '../../../src/services/pipeline/retention.js';
import type { PipelineDeps } from '../../../src/services/pipeline/deps.js';
import type { Phase, Release } from '../../../src/services/domain/release.js';
import type { ReleaseStore } from '../../../src/services/ports.js';
import { silentLogger } from '../../../src/services/logger.js';
import { tablesFor, withAzurite } from '../../helpers/azurite.js';

const NOW = Date.parse('2026-12-04T12:00:00Z');
const DAY = 86_400_000;
const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

let azurite: Azurite;
beforeAll(async () => (azurite = await withAzurite()));
afterAll(async () => azurite?.stop());

async function release(store: ReleaseStore, n: number, daysAgo: number, phase: Phase, extra: Partial<Release> = {}): Promise<Release> {
  const at = NOW - daysAgo * DAY;
  const out = await store.create(
    {
      app: 'tailspin-server',
      environment: 'dev',
      kind: 'image',
      target: digest(n),
      image: { registry: 'tailspinacr.azurecr.io', repository: 'tailspin-server', digest: digest(n) },
      source: { door: 'acr', eventId: `e-${n}` },
      correlationId: `c-${n}`,
      semanticDedup: false,
      allowQuarantined: true,
    },
    new Date(at),
  );
  if (out.kind !== 'created') throw new Error(out.kind);
  const saved = await store.save({ ...out.release, ...extra }, { to: phase, reason: 'test' }, new Date(at + 60_000));
  if (!saved.ok) throw new Error('conflict');
  return saved.value;
}

const deps = (store: ReleaseStore, retentionDays: number) =>
  ({ store, clock: { now: () => new Date(NOW) }, logger: silentLogger, settings: { retentionDays } }) as unknown as PipelineDeps;

describe('retention against azurite', () => {
  it('removes old ended releases with their timelines and index rows, never what the head and the cluster still need', async () => {
    const t = tablesFor(azurite);
    const store = createReleaseStore(t);
    const lastGood = await release(store, 1, 200, 'succeeded');
    const quarantined = await release(store, 2, 190, 'rolled_back');
    const running = await release(store, 3, 180, 'succeeded');
    const old1 = await release(store, 4, 170, 'blocked');
    const inFlight = await release(store, 5, 150, 'verifying');
    const owed = await release(store, 6, 120, 'blocked', { progress: { notifyPending: ['issue'] } });
    const old2 = await release(store, 7, 100, 'superseded');
    const recent = await release(store, 8, 5, 'blocked');
    const head = await store.head('tailspin-server', 'dev');
    const put = await store.putHead({
      ...head,
      lastGood: { releaseId: lastGood.id, target: digest(1) },
      quarantined: [{ digest: digest(2), releaseId: quarantined.id, at: quarantined.updatedAt }],
      active: { releaseId: inFlight.id, target: digest(5) },
    });
    expect(put.ok).toBe(true);
    // An index row older than the cutoff whose release was never stored (a crash during admission long ago).
    await createReleaseIndex(t.index).putCreation({
      id: 'r-ghost-000001',
      app: 'tailspin-server',
      environment: 'dev',
      source: { door: 'acr', eventId: 'x' },
      createdAt: new Date(NOW - 160 * DAY).toISOString(),
    });

    // The first tick reads the release table once to index what came before the index (here: all 8 again, idempotently).
    expect(await keepHistory(deps(store, 0))).toEqual({ indexed: 8, removed: 0 });
    expect(await keepHistory(deps(store, 90))).toEqual({ indexed: 0, removed: 2 });

    for (const gone of [old1, old2]) expect(await store.get(gone.id)).toBeUndefined();
    const listed = (await store.page({ limit: 50 })).releases.map((r) => r.id);
    expect(listed).toEqual([recent, owed, inFlight, running, quarantined, lastGood].map((r) => r.id));
    expect((await store.page({ phases: ['blocked'], limit: 50 })).releases.map((r) => r.id)).toEqual([recent.id, owed.id]);
    // The timeline went with it: nothing of the release is left in its partition.
    const left: string[] = [];
    for await (const e of t.releases.listEntities({ queryOptions: { filter: `PartitionKey eq 'tailspin-server|dev'` } }))
      left.push(String(e.rowKey));
    expect(left.filter((k) => k.includes(old1.id) || k.includes(old2.id))).toEqual([]);
    const indexRows: string[] = [];
    for await (const e of t.index.listEntities()) indexRows.push(String(e.rowKey));
    expect(indexRows.filter((k) => k.includes(old1.id) || k.includes(old2.id) || k.includes('r-ghost'))).toEqual([]);
    // Kept ones stay kept tick after tick.
    expect(await keepHistory(deps(store, 90))).toEqual({ indexed: 0, removed: 0 });
  });

  it('does not remove a release that changed since it was judged', async () => {
    const store = createReleaseStore(tablesFor(azurite));
    const r = await release(store, 9, 100, 'succeeded');
    const stale = { ...r, etag: 'W/"datetime\'2020-01-01T00%3A00%3A00Z\'"' };
    expect(await store.remove(stale)).toBe('changed');
    expect(await store.get(r.id)).toBeDefined();
    expect(await store.remove(r)).toBe('removed');
    expect(await store.get(r.id)).toBeUndefined();
  });
});
