/**
 * The due index: one row per active release in one partition of its own table, with the time of
 * its next look. The sweeper reads only this (O(active), not O(all)); an ended release leaves it.
 *
 * Kept right without a transaction across tables by the order of writes: a row is written before
 * its release is created and before a save that moves the next look earlier, after every other
 * save, and removed after the release ends. A crash in between leaves a row that is early (the
 * sweeper re-drives once, which is idempotent) or names a release that has ended or was never
 * stored; the sweeper checks each due row against its release and repairs or removes it.
 */
import type { TableClient } from '@azure/data-tables';
import { isTerminal, type Release } from '../../domain/release.js';
import { isStatus, partitionOf, releaseRowKey } from './entities.js';

export const DUE_PARTITION = 'due';
/** "No next look scheduled": the far end of the Date range, as the release rows have it. */
const NEVER = new Date(8.64e15);

export interface DueRow {
  releaseId: string;
  pk: string;
  rk: string;
  phase: string;
  app: string;
  environment: string;
  door: string;
  createdAt: string;
  nextCheckAt: Date;
}

export const dueAt = (r: Pick<Release, 'nextCheckAt'>): Date => (r.nextCheckAt ? new Date(r.nextCheckAt) : NEVER);

export function dueRowOf(r: Release): DueRow {
  return {
    releaseId: r.id,
    pk: partitionOf(r.app, r.environment),
    rk: releaseRowKey(r.id, new Date(r.createdAt)),
    phase: r.phase,
    app: r.app,
    environment: r.environment,
    door: r.source.door,
    createdAt: r.createdAt,
    nextCheckAt: dueAt(r),
  };
}

export function createDueIndex(table: TableClient) {
  const put = async (r: Release): Promise<void> => {
    if (isTerminal(r.phase)) return;
    // Release ids are [a-z0-9-]: safe as row keys as they are.
    await table.upsertEntity({ partitionKey: DUE_PARTITION, rowKey: r.id, ...dueRowOf(r) }, 'Replace');
  };
  const remove = async (id: string): Promise<void> => {
    await table.deleteEntity(DUE_PARTITION, id).catch((e: unknown) => {
      if (!isStatus(e, 404)) throw e;
    });
  };
  const read = async (filter: string, limit: number): Promise<DueRow[]> => {
    const out: DueRow[] = [];
    for await (const e of table.listEntities<DueRow>({ queryOptions: { filter } })) {
      out.push({ ...e, nextCheckAt: new Date(e.nextCheckAt) });
      if (out.length >= limit) break;
    }
    return out;
  };
  return {
    put,
    remove,
    /** Rows whose next look is at or before `now`. */
    due: (now: Date, limit: number) => read(`PartitionKey eq '${DUE_PARTITION}' and nextCheckAt le datetime'${now.toISOString()}'`, limit),
    /** Every active release (for listings filtered by an active phase); bounded by what can be in flight. */
    all: (limit: number) => read(`PartitionKey eq '${DUE_PARTITION}'`, limit),
  };
}

export type DueIndex = ReturnType<typeof createDueIndex>;
