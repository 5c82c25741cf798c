/**
 * The notification outbox in Azure Tables: one row per ended release with undelivered notices, in a
 * table of its own, so "what is due" and "how many, since when" read only the outbox however long the
 * release history grows — on Azure (one partition) and on azurite too, which tests a query against
 * every entity of its table. Until issue #19 the rows lived in a partition of the releases table:
 * `legacy` names that table, and rows found there are moved over (first use, then hourly, so a row an
 * instance still on the old code put there during a deployment is not stranded).
 */
import type { TableClient } from '@azure/data-tables';
import type { NotifyOutbox, OutboxEntry } from '../../ports.js';
import { isStatus, createdOnce } from './entities.js';

const PARTITION = 'notify-outbox';

interface Row {
  releaseId: string;
  correlationId: string;
  since: string;
  dueAt: Date;
}

const entryOf = (r: Row): OutboxEntry => ({
  releaseId: r.releaseId,
  correlationId: r.correlationId,
  since: r.since,
  dueAt: new Date(r.dueAt).toISOString(),
});

/** How often the legacy partition is looked at again after the first move. */
const LEGACY_EVERY_MS = 3_600_000;

export function createNotifyOutbox(table: TableClient, legacy?: TableClient): NotifyOutbox {
  const created = createdOnce(() => table.createTable());
  let legacyLookedAt = -Infinity;
  // Copy first, then delete: a crash in between leaves a row in both places, and put() keeps the older `since`.
  const moveLegacy = async () => {
    if (!legacy || Date.now() - legacyLookedAt < LEGACY_EVERY_MS) return;
    legacyLookedAt = Date.now();
    try {
      for await (const e of legacy.listEntities<Row>({ queryOptions: { filter: `PartitionKey eq '${PARTITION}'` } })) {
        let entry: OutboxEntry;
        try {
          entry = entryOf(e);
        } catch {
          continue; // A row that does not read (a broken date) stays where it is; it must not stop the rest.
        }
        await put(entry, 'moved');
        await legacy.deleteEntity(PARTITION, String(e.rowKey)).catch((err: unknown) => {
          if (!isStatus(err, 404)) throw err;
        });
      }
    } catch {
      // Looked at again on the next call; meanwhile the outbox table is served (what is owed stays owed).
      legacyLookedAt = -Infinity;
    }
  };
  const ensure = async () => {
    await created();
    await moveLegacy();
  };
  /** A row moved from the old layout does not override a newer one for the same release, except for an older `since`. */
  async function put(entry: OutboxEntry, how: 'new' | 'moved' = 'new'): Promise<void> {
    await created();
    // Release ids are [a-z0-9-]: safe as a row key as they are.
    const existing = await table.getEntity<Row>(PARTITION, entry.releaseId).catch((e: unknown) => {
      if (isStatus(e, 404)) return undefined;
      throw e;
    });
    const since = existing && existing.since < entry.since ? existing.since : entry.since;
    const dueAt = new Date(how === 'moved' && existing ? existing.dueAt : entry.dueAt);
    const row: Row = { ...(how === 'moved' && existing ? entryOf(existing) : entry), since, dueAt };
    await table.upsertEntity({ partitionKey: PARTITION, rowKey: entry.releaseId, ...row }, 'Replace');
  }
  const rows = async (filter: string, limit = Infinity, select?: (keyof Row)[]): Promise<Row[]> => {
    await ensure();
    const out: Row[] = [];
    for await (const e of table.listEntities<Row>({ queryOptions: { filter, ...(select ? { select } : {}) } })) {
      out.push(e);
      if (out.length >= limit) break;
    }
    return out;
  };
  return {
    put: (entry) => put(entry),
    async remove(releaseId) {
      await created();
      await table.deleteEntity(PARTITION, releaseId).catch((e: unknown) => {
        if (!isStatus(e, 404)) throw e;
      });
    },
    async due(now, limit) {
      const filter = `PartitionKey eq '${PARTITION}' and dueAt le datetime'${now.toISOString()}'`;
      return (await rows(filter, limit)).map(entryOf);
    },
    async backlog() {
      const all = await rows(`PartitionKey eq '${PARTITION}'`, Infinity, ['since']);
      const oldest = all.map((r) => r.since).sort()[0];
      return { count: all.length, ...(oldest ? { oldestSince: oldest } : {}) };
    },
  };
}
