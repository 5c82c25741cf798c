/**
 * The release index table: one row per (view, release), a partition per view, written before the
 * release change it describes (index first). A row can therefore point at a release that was never
 * stored (admission lost, worker crashed) or whose ending differs (a compare-and-swap lost after
 * the rows were written): readers check every row against the release row, which stays the truth,
 * and the sweeper removes such rows once they are older than the retention age.
 */
import type { TableClient, TransactionAction } from '@azure/data-tables';
import { TERMINAL_PHASES, type Phase, type Release } from '../../domain/release.js';
import { creationViews, endingViews, keyRange, olderBound } from './index-keys.js';
import { isStatus, partitionOf, releaseRowKey } from './entities.js';

export interface IndexRow {
  releaseId: string;
  /** Where the release row is: its partition and row key. */
  pk: string;
  rk: string;
  /** What the views of a release are made of, so rows whose release is gone can still be found again. */
  app: string;
  environment: string;
  door: string;
  createdAt: string;
}

const FIELDS = ['releaseId', 'pk', 'rk', 'app', 'environment', 'door', 'createdAt'] as const;

type Indexed = Pick<Release, 'id' | 'app' | 'environment' | 'source' | 'createdAt'>;

/** The release fields an index row keeps, enough to name all of its views again. */
export const indexedOf = (row: IndexRow): Indexed => ({
  id: row.releaseId,
  app: row.app,
  environment: row.environment,
  source: { door: row.door as Release['source']['door'], eventId: '' },
  createdAt: row.createdAt,
});

/**
 * Windows of a view's range, newest first: a short one, a longer one, then the rest. On Azure Tables
 * each is one indexed range query with `top`; azurite sorts every row a query matches before
 * applying `top`, so a bounded window keeps a dense view's first page from sorting all of history.
 */
const WINDOWS_MS = [86_400_000, 32 * 86_400_000, Infinity];
const BATCH = 100;

export function createReleaseIndex(table: TableClient) {
  const rowsOf = (r: Indexed, views: string[]) => {
    const rk = releaseRowKey(r.id, new Date(r.createdAt));
    const pk = partitionOf(r.app, r.environment);
    const fields = { releaseId: r.id, pk, rk, app: r.app, environment: r.environment, door: r.source.door, createdAt: r.createdAt };
    return views.map((v) => ({ partitionKey: v, rowKey: rk, ...fields }));
  };

  /** One entity-group transaction per partition (a view) and hundred rows, all at once. */
  async function submit(actions: TransactionAction[]): Promise<void> {
    const byView = new Map<string, TransactionAction[]>();
    for (const a of actions) {
      const list = byView.get(a[1].partitionKey) ?? [];
      list.push(a);
      byView.set(a[1].partitionKey, list);
    }
    const batches = [...byView.values()].flatMap((list) =>
      Array.from({ length: Math.ceil(list.length / BATCH) }, (_, i) => list.slice(i * BATCH, (i + 1) * BATCH)),
    );
    await Promise.all(batches.map((b) => table.submitTransaction(b)));
  }

  async function drop(keys: { partitionKey: string; rowKey: string }[]): Promise<void> {
    // One row each, not batched: a missing row would fail its whole transaction.
    await Promise.all(
      keys.map((k) =>
        table.deleteEntity(k.partitionKey, k.rowKey).catch((err: unknown) => {
          if (!isStatus(err, 404)) throw err;
        }),
      ),
    );
  }

  /** Rows of a view after `after` (exclusive), at most `need`, newest first. */
  async function scan(
    view: string,
    after: string | undefined,
    need: number,
    nowMs: number,
    windows = WINDOWS_MS,
  ): Promise<{ rows: IndexRow[]; done: boolean }> {
    const rows: IndexRow[] = [];
    let from = after;
    for (const span of windows) {
      const bound = span === Infinity ? undefined : olderBound(from, nowMs, span);
      // The view comes from viewKey (checked), the bounds from keyRange (checked): nothing else reaches the filter.
      const filter = `PartitionKey eq '${view}' and ${keyRange(from, bound)}`;
      const pages = table.listEntities<IndexRow>({ queryOptions: { filter, select: [...FIELDS] } }).byPage({
        maxPageSize: need - rows.length,
      });
      for await (const page of pages) {
        for (const e of page) rows.push(Object.fromEntries(FIELDS.map((f) => [f, String(e[f])])) as unknown as IndexRow);
        if (rows.length >= need) return { rows: rows.slice(0, need), done: false };
      }
      if (bound === undefined) return { rows, done: true };
      // Every row of the window is taken; the next one starts at its bound (no release key equals a bare bound).
      from = bound;
    }
    return { rows, done: true };
  }

  return {
    /** The rows a release has from its creation (idempotent upserts). */
    async putCreation(r: Indexed): Promise<void> {
      await submit(rowsOf(r, creationViews(r)).map((e) => ['upsert', e, 'Replace']));
    },
    async dropCreation(r: Indexed): Promise<void> {
      await drop(rowsOf(r, creationViews(r)));
    },
    /** The rows of its ending; nothing for an active phase. */
    async putEnding(r: Indexed, phase: Phase): Promise<void> {
      const rows = rowsOf(r, endingViews(r, phase));
      if (rows.length) await submit(rows.map((e) => ['upsert', e, 'Replace']));
    },
    /** Every row a release has (its ending's only when it ended), whichever exist. */
    async dropAll(r: Indexed, phase: Phase | undefined): Promise<void> {
      await drop(rowsOf(r, [...creationViews(r), ...(phase ? endingViews(r, phase) : [])]));
    },
    /** Rows whose release is gone: its creation rows and the ending rows of every ending it might have had. */
    async dropOrphan(row: IndexRow): Promise<void> {
      const r = indexedOf(row);
      await drop(rowsOf(r, [...creationViews(r), ...TERMINAL_PHASES.flatMap((p) => endingViews(r, p))]));
    },
    /** A release's rows as upserts (the backfill batches several releases per transaction). */
    actionsFor(r: Indexed, phase: Phase): TransactionAction[] {
      return rowsOf(r, [...creationViews(r), ...endingViews(r, phase)]).map((e) => ['upsert', e, 'Replace']);
    },
    submit,
    scan,
  };
}

export type ReleaseIndex = ReturnType<typeof createReleaseIndex>;
