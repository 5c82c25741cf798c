/**
 * Promotions in Azure Tables: one partition of the releases table, row key = promotion id. They come
 * at the pace of people and soaks (a few a day), so "pending" is a one-partition read.
 */
import type { TableClient } from '@azure/data-tables';
import type { Promotion } from '../../promotion/model.js';
import type { PromotionStore } from '../../promotion/ports.js';
import { PromotionRecord } from '../../promotion/schema.js';
import { err, ok } from '../../domain/result.js';
import { isStatus, packJson, unpackJson, createdOnce } from './entities.js';
import { parseStored } from './schema.js';

const PARTITION = 'promotions';

const entityOf = (p: Promotion) => {
  const { etag: _e, ...record } = p;
  return { partitionKey: PARTITION, rowKey: p.id, type: 'promotion', state: p.state, app: p.app, to: p.to, ...packJson(record) };
};

const recordOf = (e: Record<string, unknown>): Promotion => ({
  ...parseStored(PromotionRecord, unpackJson(e), `promotion ${String(e.rowKey)}`),
  ...(typeof e.etag === 'string' ? { etag: e.etag } : {}),
});

const quote = (v: string) => `'${v.replace(/'/g, "''")}'`;

export function createPromotionStore(table: TableClient): PromotionStore {
  const ensure = createdOnce(() => table.createTable());
  const get = async (id: string): Promise<Promotion | undefined> => {
    await ensure();
    try {
      return recordOf(await table.getEntity<Record<string, unknown>>(PARTITION, id));
    } catch (e) {
      if (isStatus(e, 404)) return undefined;
      throw e;
    }
  };
  return {
    get,
    async create(p) {
      await ensure();
      try {
        const res = await table.createEntity(entityOf(p));
        return { created: true, promotion: { ...p, ...(res.etag ? { etag: res.etag } : {}) } };
      } catch (e) {
        if (!isStatus(e, 409)) throw e;
        const existing = await get(p.id);
        if (!existing) throw e;
        return { created: false, promotion: existing };
      }
    },
    async save(p) {
      await ensure();
      if (!p.etag) return err('conflict');
      try {
        const res = await table.updateEntity(entityOf(p), 'Replace', { etag: p.etag });
        return ok({ ...p, ...(res.etag ? { etag: res.etag } : {}) });
      } catch (e) {
        if (isStatus(e, 412, 404)) return err('conflict');
        throw e;
      }
    },
    async list(filter, limit = 200) {
      await ensure();
      const parts = [`PartitionKey eq '${PARTITION}'`];
      if (filter.state) parts.push(`state eq ${quote(filter.state)}`);
      if (filter.app) parts.push(`app eq ${quote(filter.app)}`);
      if (filter.to) parts.push(`to eq ${quote(filter.to)}`);
      const out: Promotion[] = [];
      for await (const e of table.listEntities<Record<string, unknown>>({ queryOptions: { filter: parts.join(' and ') } }))
        out.push(recordOf(e));
      return out.sort((a, b) => (a.requestedAt < b.requestedAt ? 1 : -1)).slice(0, limit);
    },
  };
}
