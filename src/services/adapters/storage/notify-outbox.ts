/**
 * The notification outbox in Azure Tables: one row per ended release with undelivered notices,
 * all in one partition of the releases table, so "what is due" and "how many, since when" are
 * single-partition reads however long the release history grows.
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

export function createNotifyOutbox(table: TableClient): NotifyOutbox {
  const ensure = createdOnce(() => table.createTable());
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
    async put(entry) {
      await ensure();
      // Release ids are [a-z0-9-]: safe as a row key as they are.
      const existing = await table.getEntity<Row>(PARTITION, entry.releaseId).catch((e: unknown) => {
        if (isStatus(e, 404)) return undefined;
        throw e;
      });
      const row: Row = { ...entry, since: existing?.since ?? entry.since, dueAt: new Date(entry.dueAt) };
      await table.upsertEntity({ partitionKey: PARTITION, rowKey: entry.releaseId, ...row }, 'Replace');
    },
    async remove(releaseId) {
      await ensure();
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
