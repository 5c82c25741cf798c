/**
 * The reads that must not grow with history (issue #19), over the index and due tables: listings,
 * the sweeper's overdue releases, the releases past the retention age and their removal, and the
 * one-off backfill of releases stored before the index existed.
 */
import type { TableClient } from '@azure/data-tables';
import { isTerminal, type Release } from '../../domain/release.js';
import type { ReleasePage, ReleasePageQuery, ReleaseStore } from '../../ports.js';
import { ID_PARTITION, isStatus, partitionOf, releaseRowKey, safeKey, unpackJson } from './entities.js';
import { parseStored, ReleaseRecord } from './schema.js';
import { invertedTime } from './index-keys.js';
import { createReleaseIndex } from './release-index.js';
import { createDueIndex, dueAt } from './due-index.js';
import { listPage } from './release-listing.js';
import { createBackfill } from './backfill.js';
import { mapBounded } from './bounded-map.js';

/** Release reads a sweeper tick keeps in flight at once. */
const READ_WIDTH = 8;

export interface HistoryTables {
  releases: TableClient;
  /** Listing rows (partition L) and the backfill marker (partition meta). */
  index: TableClient;
  /** One row per active release. */
  due: TableClient;
}

type History = Pick<ReleaseStore, 'overdue' | 'page' | 'list' | 'expired' | 'remove' | 'backfill'>;

export const recordOf = (e: Record<string, unknown>): ReleaseRecord =>
  parseStored(ReleaseRecord, unpackJson(e), `release ${typeof e.releaseId === 'string' ? e.releaseId : String(e.rowKey)}`);

/** A release as stored: its row, the timeline given, its etag and its next look as stored (what a save compares with). */
export function storedRelease(e: Record<string, unknown>, timeline: Release['timeline']): Release {
  const record = recordOf(e);
  return { ...record, timeline, ...(typeof e.etag === 'string' ? { etag: e.etag } : {}), storedDueMs: dueAt(record).getTime() };
}

/** `ensure` creates the tables once (the store's own); every read here waits for it. */
export function createHistory(t: HistoryTables, ensure: () => Promise<void>) {
  const h = {
    /** The release row (timeline left out) by its keys, with its etag. */
    async read(pk: string, rk: string): Promise<Release | undefined> {
      await ensure();
      try {
        return storedRelease(await t.releases.getEntity<Record<string, unknown>>(pk, rk), []);
      } catch (e) {
        if (isStatus(e, 404)) return undefined;
        throw e;
      }
    },
    /** Where a release is, from its id pointer. */
    async locate(id: string): Promise<{ pk: string; rk: string } | undefined> {
      await ensure();
      try {
        const e = await t.releases.getEntity<{ pk: string; rk: string }>(ID_PARTITION, safeKey(id));
        return { pk: e.pk, rk: e.rk };
      } catch (e) {
        if (isStatus(e, 404)) return undefined;
        throw e;
      }
    },
    now: () => new Date(),
  };
  const index = createReleaseIndex(t.index);
  const due = createDueIndex(t.due);
  const backfill = createBackfill(t.releases, t.index, index, due);

  async function page(q: ReleasePageQuery): Promise<ReleasePage> {
    let after = q.after;
    if (q.before !== undefined) {
      const at = await h.locate(q.before);
      if (!at) return { releases: [] };
      after = at.rk;
    }
    const [out, indexed] = await Promise.all([
      listPage({ index, due, read: (pk, rk) => h.read(pk, rk), now: () => h.now() }, { ...q, ...(after ? { after } : {}) }),
      backfill.done(),
    ]);
    return { ...out, ...(indexed ? {} : { indexing: true as const }) };
  }

  async function deleteRows(r: Release): Promise<'removed' | 'changed'> {
    const pk = partitionOf(r.app, r.environment);
    const rk = releaseRowKey(r.id, new Date(r.createdAt));
    const filter = `PartitionKey eq '${pk.replace(/'/g, "''")}' and RowKey gt '${rk}' and RowKey lt '${rk}~~'`;
    const timeline: string[] = [];
    for await (const e of t.releases.listEntities({ queryOptions: { filter, select: ['RowKey'] } })) timeline.push(String(e.rowKey));
    // The release row goes first, and only if unchanged since it was judged (an entity-group delete
    // takes no etag); its timeline follows. A crash between leaves timeline rows nothing reads.
    try {
      await t.releases.deleteEntity(pk, rk, r.etag ? { etag: r.etag } : {});
    } catch (e) {
      if (isStatus(e, 412)) return 'changed';
      if (!isStatus(e, 404)) throw e;
    }
    for (let i = 0; i < timeline.length; i += 100)
      await t.releases.submitTransaction(timeline.slice(i, i + 100).map((k) => ['delete', { partitionKey: pk, rowKey: k }]));
    return 'removed';
  }

  const history: History & { due: typeof due; index: typeof index; locate: typeof h.locate } = {
    due,
    index,
    locate: (id) => h.locate(id),
    async page(q) {
      await ensure();
      return page(q);
    },
    async list(filter) {
      await ensure();
      return (await page(filter)).releases;
    },

    async overdue(now, limit) {
      await ensure();
      const rows = await due.due(now, limit);
      const found = await mapBounded(rows, READ_WIDTH, async (row) => {
        const r = await h.read(row.pk, row.rk);
        // The release row is the truth: a due row of an ended or missing release goes; a stale time is corrected.
        if (!r || isTerminal(r.phase)) await due.remove(row.releaseId);
        else if (dueAt(r) > now) await due.put(r);
        else return r;
        return undefined;
      });
      return found.filter((r): r is Release => r !== undefined);
    },

    async expired(before, limit, after) {
      await ensure();
      // One range, no windows: everything past the cutoff is due to go (and usually nothing is).
      const scan = await index.scan('*', after ?? `R${invertedTime(before.getTime())}`, limit, h.now().getTime(), [Infinity]);
      const found = await Promise.all(scan.rows.map(async (row) => ({ row, r: await h.read(row.pk, row.rk) })));
      const stored: Release[] = [];
      for (const { row, r } of found) {
        if (r) stored.push(r);
        // Older than the retention age and still no release: never an admission in progress.
        else await index.dropOrphan(row);
      }
      const last = scan.rows.at(-1);
      return { releases: stored, ...(!scan.done && last ? { next: last.rk } : {}) };
    },

    async remove(r) {
      await ensure();
      if (!isTerminal(r.phase)) return 'changed';
      // Release rows first: a crash after leaves index rows without a release, which readers skip and expired() removes.
      if ((await deleteRows(r)) === 'changed') return 'changed';
      await t.releases.deleteEntity(ID_PARTITION, safeKey(r.id)).catch((e: unknown) => {
        if (!isStatus(e, 404)) throw e;
      });
      await due.remove(r.id);
      await index.dropAll(r, r.phase);
      return 'removed';
    },

    async backfill(limit) {
      await ensure();
      return backfill.step(limit);
    },
  };
  return history;
}
