import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Azurite } from '../../../src/local/azurite.js';
import { createReleaseStore } from '../../../src/services/adapters/storage/release-store.js';
import {
  ID_PARTITION,
  partitionOf,
  releaseEntity,
  releaseRowKey,
  safeKey,
  timelineEntity,
} from '../../../src/services/adapters/storage/entities.js';
import { createReleaseIndex } from '../../../src/services/adapters/storage/release-index.js';
import type { NewRelease, ReleasePageQuery, ReleaseStore } from '../../../src/services/ports.js';
import type { Release } from '../../../src/services/domain/release.js';
import { tablesFor, withAzurite } from '../../helpers/azurite.js';
import { own } from '../../helpers/fixtures.js';

const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const draft = (n: number, app: string, environment: string, door: 'acr' | 'manual'): NewRelease => ({
  app,
  environment,
  kind: 'image',
  target: digest(n),
  image: { registry: 'tailspinacr.azurecr.io', repository: app, digest: digest(n) },
  source: { door, eventId: `evt-${n}` },
  correlationId: `c-${n}`,
  semanticDedup: false,
  allowQuarantined: true,
});

let azurite: Azurite;
beforeAll(async () => (azurite = await withAzurite()));
afterAll(async () => azurite?.stop());

/** Every page of a listing, following `next`. */
async function all(store: ReleaseStore, q: ReleasePageQuery): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let after: string | undefined;
  let pages = 0;
  do {
    const page = await store.page({ ...q, ...(after ? { after } : {}) });
    ids.push(...page.releases.map((r) => r.id));
    after = page.next;
    pages++;
  } while (after && pages < 100);
  return { ids, pages };
}

describe('release listings from the index, against azurite', () => {
  const tables = () => tablesFor(azurite);

  it('pages every view newest first, exactly once each, filtered by app, environment, door and outcome', async () => {
    const store = createReleaseStore(tables());
    const t0 = Date.parse('2026-11-01T00:00:00Z');
    const made: Release[] = [];
    // Spread over 90 days, so pages cross the listing's time windows.
    for (let i = 0; i < 24; i++) {
      const app = i % 2 ? 'tailspin-client' : 'tailspin-server';
      const out = await store.create(draft(i, app, i % 3 ? 'dev' : 'prod', i % 4 ? 'acr' : 'manual'), new Date(t0 + i * 4 * 86_400_000));
      if (out.kind !== 'created') throw new Error(out.kind);
      const ending = i % 5 === 0 ? 'rolled_back' : i % 5 === 1 ? 'verifying' : 'succeeded';
      const saved = await store.save(out.release, { to: ending, reason: 'test' }, new Date(t0 + i * 4 * 86_400_000 + 1_000));
      if (!saved.ok) throw new Error('conflict');
      made.push(saved.value);
    }
    // Admission supersedes a release its head still names as pending: read back what each one is now.
    const now = (await Promise.all(made.map((r) => store.get(r.id)))).filter((r): r is Release => r !== undefined);
    const newest = (pred: (r: Release) => boolean) =>
      now
        .filter(pred)
        .reverse()
        .map((r) => r.id);
    expect(now.filter((r) => r.phase === 'verifying').length).toBeGreaterThan(0);

    const everything = await all(store, { limit: 5 });
    expect(everything.ids).toEqual(newest(() => true));
    expect(everything.pages).toBe(5);
    expect((await all(store, { app: 'tailspin-client', limit: 3 })).ids).toEqual(newest((r) => r.app === 'tailspin-client'));
    expect((await all(store, { environment: 'prod', limit: 2 })).ids).toEqual(newest((r) => r.environment === 'prod'));
    expect((await all(store, { app: 'tailspin-server', environment: 'dev', door: 'acr', limit: 2 })).ids).toEqual(
      newest((r) => r.app === 'tailspin-server' && r.environment === 'dev' && r.source.door === 'acr'),
    );
    expect((await all(store, { phases: ['rolled_back'], limit: 2 })).ids).toEqual(newest((r) => r.phase === 'rolled_back'));
    // An ended phase and an active one together: the active come from the due index, merged in order.
    expect((await all(store, { phases: ['rolled_back', 'verifying'], door: 'acr', limit: 2 })).ids).toEqual(
      newest((r) => ['rolled_back', 'verifying'].includes(r.phase) && r.source.door === 'acr'),
    );
    // The older form: after a release id.
    const third = made.at(-3)?.id ?? '';
    expect((await store.page({ before: third, limit: 2 })).releases.map((r) => r.id)).toEqual(newest(() => true).slice(3, 5));
    expect(await store.page({ before: 'r-zz-000000', limit: 2 })).toEqual({ releases: [] });
  });

  it('skips index rows whose release was never stored (a crash after the index was written), and still fills the page', async () => {
    const t = tables();
    const store = createReleaseStore(t);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const out = await store.create(draft(100 + i, 'tailspin-server', 'dev', 'acr'), new Date(Date.UTC(2026, 10, 1, 0, i)));
      if (out.kind === 'created') ids.unshift(out.release.id);
    }
    const index = createReleaseIndex(t.index);
    // Index first, then the crash: rows for releases that do not exist, newer than and among the real ones.
    for (const [n, minute] of [
      [1, 9],
      [2, 3],
    ] as const) {
      const createdAt = new Date(Date.UTC(2026, 10, 1, 0, minute, 30)).toISOString();
      await index.putCreation({
        id: `r-ghost${n}-00000${n}`,
        app: 'tailspin-server',
        environment: 'dev',
        source: { door: 'acr', eventId: 'x' },
        createdAt,
      });
    }
    const first = await store.page({ limit: 4 });
    expect(first.releases.map((r) => r.id)).toEqual(ids.slice(0, 4));
    expect((await all(store, { limit: 4 })).ids).toEqual(ids);
  });

  it('backfills releases stored before the index in bounded, repeatable batches', async () => {
    const t = tables();
    const legacy = JSON.parse(readFileSync(own('stored-releases', 'at-25ec298.json'), 'utf8')) as Release[];
    const inFlight: Release = { ...legacy[0]!, id: 'r-inflight-abcdef', phase: 'verifying', nextCheckAt: '2026-12-04T19:10:00.000Z' };
    const rows = [...legacy, inFlight];
    await t.releases.createTable();
    // As an earlier version wrote them: release, timeline and id pointer rows, and no index.
    for (const r of rows) {
      const pk = partitionOf(r.app, r.environment);
      const rk = releaseRowKey(r.id, new Date(r.createdAt));
      await t.releases.submitTransaction([
        ['create', releaseEntity(r, rk)],
        ...r.timeline.map((e, i) => ['create', timelineEntity(pk, rk, i, e)] as ['create', ReturnType<typeof timelineEntity>]),
      ]);
      await t.releases.createEntity({ partitionKey: ID_PARTITION, rowKey: safeKey(r.id), pk, rk });
    }
    const store = createReleaseStore(t);
    expect(await store.page({ limit: 10 })).toEqual({ releases: [], indexing: true });

    const batches: number[] = [];
    for (let i = 0; i < 50; i++) {
      const step = await store.backfill(4);
      batches.push(step.indexed);
      if (step.done) break;
    }
    expect(Math.max(...batches)).toBeLessThanOrEqual(4);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(rows.length);
    expect(await store.backfill(4)).toEqual({ done: true, indexed: 0 });

    const byAge = [...rows].sort((a, b) =>
      releaseRowKey(a.id, new Date(a.createdAt)) < releaseRowKey(b.id, new Date(b.createdAt)) ? -1 : 1,
    );
    const listed = await all(store, { limit: 7 });
    expect(listed.ids).toEqual(byAge.map((r) => r.id));
    expect((await store.page({ limit: 1 })).indexing).toBeUndefined();
    expect((await all(store, { phases: ['rolled_back'], limit: 3 })).ids).toEqual(
      byAge.filter((r) => r.phase === 'rolled_back').map((r) => r.id),
    );
    // The active one is in the due index: the sweeper finds it.
    expect((await store.overdue(new Date('2026-12-04T20:00:00Z'), 10)).map((r) => r.id)).toEqual([inFlight.id]);

    // A second host, or a rerun after a crash, starting over: the same rows, nothing doubled.
    const fresh = createReleaseStore({ ...t });
    await t.index.deleteEntity('meta', 'backfill-v1');
    for (let i = 0; i < 50 && !(await fresh.backfill(100)).done; i++);
    expect((await all(fresh, { limit: 50 })).ids).toEqual(byAge.map((r) => r.id));
  });
});

describe('the due index, against azurite', () => {
  it('holds active releases only, at their next look, and repairs what a crash left', async () => {
    const t = tablesFor(azurite);
    const store = createReleaseStore(t);
    const at = new Date('2026-11-26T10:00:00Z');
    const out = await store.create(draft(1, 'tailspin-server', 'dev', 'acr'), at);
    if (out.kind !== 'created') throw new Error(out.kind);
    const later = { ...out.release, nextCheckAt: '2026-11-26T11:00:00.000Z' };
    const saved = await store.save(later, { to: 'scanning', reason: 'scan' }, at);
    if (!saved.ok) throw new Error('conflict');
    expect(await store.overdue(new Date('2026-11-26T10:30:00Z'), 10)).toEqual([]);
    expect((await store.overdue(new Date('2026-11-26T11:00:00Z'), 10)).map((r) => r.id)).toEqual([out.release.id]);
    const ended = await store.save(saved.value, { to: 'blocked', reason: 'scan' }, at);
    expect(ended.ok).toBe(true);
    expect(await store.overdue(new Date('2026-11-27T00:00:00Z'), 10)).toEqual([]);

    // A crash after the release ended and before its due row went: the sweeper drops the row, re-drives nothing.
    const { due } = await import('../../../src/services/adapters/storage/due-index.js').then((m) => ({ due: m.createDueIndex(t.due) }));
    await due.put({ ...saved.value, nextCheckAt: '2026-11-26T10:00:00.000Z' });
    expect(await store.overdue(new Date('2026-11-27T00:00:00Z'), 10)).toEqual([]);
    expect(await due.all(10)).toEqual([]);
  });
});
