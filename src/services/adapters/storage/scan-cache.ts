/** Scan verdicts cached per (digest, policy) so a redeploy of a scanned digest does not rescan. */
import type { TableClient } from '@azure/data-tables';
import type { ScanCache } from '../../ports.js';
import { CachedVerdict } from './schema.js';
import { isStatus, packJson, safeKey, unpackJson, createdOnce } from './entities.js';

export function createScanCache(table: TableClient): ScanCache {
  const ensure = createdOnce(() => table.createTable());
  return {
    async get(key, now) {
      await ensure();
      try {
        const e = await table.getEntity<Record<string, unknown>>('verdict', safeKey(key));
        // A cached verdict that no longer reads is a cache miss: the digest is scanned again.
        const v = CachedVerdict.safeParse(unpackJson(e));
        return v.success && new Date(v.data.expiresAt) > now ? v.data : undefined;
      } catch (e) {
        if (isStatus(e, 404)) return undefined;
        throw e;
      }
    },
    async put(key, v) {
      await ensure();
      await table.upsertEntity({ partitionKey: 'verdict', rowKey: safeKey(key), ...packJson(v) }, 'Replace');
    },
  };
}
