/**
 * Index the releases stored before the index existed (issue #19): one page of release rows per
 * call, continuing from a marker row, until the release table has been read once. Idempotent
 * (upserts), so two hosts running it at once, or a crash between a batch and the marker, only
 * repeat work. Rows that no longer parse are skipped here; reading them fails loudly elsewhere.
 */
import type { TableClient, TransactionAction } from '@azure/data-tables';
import type { Release } from '../../domain/release.js';
import { isStatus, unpackJson } from './entities.js';
import { parseStored, ReleaseRecord } from './schema.js';
import type { ReleaseIndex } from './release-index.js';
import type { DueIndex } from './due-index.js';

const MARKER = { partitionKey: 'meta', rowKey: 'backfill-v1' };

interface Marker {
  done: boolean;
  token?: string;
  indexed: number;
  etag?: string;
}

export function createBackfill(releases: TableClient, meta: TableClient, index: ReleaseIndex, due: DueIndex) {
  let finished = false;

  async function marker(): Promise<Marker> {
    try {
      const e = await meta.getEntity<{ done: boolean; token?: string; indexed: number }>(MARKER.partitionKey, MARKER.rowKey);
      return { done: e.done, indexed: e.indexed, ...(e.token ? { token: e.token } : {}), ...(e.etag ? { etag: e.etag } : {}) };
    } catch (e) {
      if (isStatus(e, 404)) return { done: false, indexed: 0 };
      throw e;
    }
  }

  async function saveMarker(m: Marker, previous: Marker): Promise<void> {
    const entity = { ...MARKER, done: m.done, indexed: m.indexed, token: m.token ?? '' };
    try {
      if (previous.etag) await meta.updateEntity(entity, 'Replace', { etag: previous.etag });
      else await meta.createEntity(entity);
    } catch (e) {
      // Another host moved the marker first: its batch covered the same rows or later ones.
      if (!isStatus(e, 409, 412)) throw e;
    }
  }

  return {
    /** Whether every release stored before the index is in it (read once per process after it is). */
    async done(): Promise<boolean> {
      if (!finished) finished = (await marker()).done;
      return finished;
    },

    async step(limit: number): Promise<{ done: boolean; indexed: number }> {
      if (finished) return { done: true, indexed: 0 };
      const m = await marker();
      if (m.done) return { done: (finished = true), indexed: 0 };
      const pages = releases
        .listEntities<Record<string, unknown>>({ queryOptions: { filter: "type eq 'release'" } })
        .byPage({ maxPageSize: limit, ...(m.token ? { continuationToken: m.token } : {}) });
      const first = await pages.next();
      const page = first.done ? undefined : (first.value as Record<string, unknown>[] & { continuationToken?: string });
      const records: Release[] = [];
      for (const e of page ?? []) {
        try {
          records.push({ ...parseStored(ReleaseRecord, unpackJson(e), 'release'), timeline: [] });
        } catch {
          continue;
        }
      }
      const actions: TransactionAction[] = records.flatMap((r) => index.actionsFor(r, r.phase));
      await index.submit(actions);
      await Promise.all(records.map((r) => due.put(r)));
      const token = page?.continuationToken;
      const next: Marker = { done: !token, indexed: m.indexed + records.length, ...(token ? { token } : {}) };
      await saveMarker(next, m);
      finished = next.done;
      return { done: next.done, indexed: records.length };
    },
  };
}
