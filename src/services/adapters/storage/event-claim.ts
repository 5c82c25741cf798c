/**
 * A door's claim of an idempotency key in the dedup table (partition = door, row = hash of the key):
 * the first insert wins; a later claimer reads the row, and takes it over only when it is an
 * unsettled claim old enough to be from a worker that died (the ETag lets one taker win). Used by
 * the release store's claimEvent (the manual door) and the intake ledger's accept (GitHub, ACR).
 */
import type { TableClient } from '@azure/data-tables';
import type { Door } from '../../domain/release.js';
import { isStatus, safeKey } from './entities.js';

/** An unsettled claim this old is taken to be from a worker that died between its claim and its result. */
export const STALE_CLAIM_MS = 60_000;

export interface ClaimRow {
  state: string;
  claimedAt: Date;
  releaseIds?: string;
  ignored?: string;
  fingerprint?: string;
  /** Set on claims made by the intake ledger's accept(): the ids were reserved, the message queued right after. */
  reserved?: boolean;
  etag: string;
}

/** The claim row for `key`, or 'exists' when the key was claimed before. */
export async function insertClaim(
  dedup: TableClient,
  door: Door,
  key: string,
  fields: Record<string, unknown>,
): Promise<'claimed' | 'exists'> {
  try {
    await dedup.createEntity({ partitionKey: door, rowKey: safeKey(key), key: key.slice(0, 200), state: 'pending', ...fields });
    return 'claimed';
  } catch (e) {
    if (isStatus(e, 409)) return 'exists';
    throw e;
  }
}

/**
 * The claim already held for `key`, taken over (merged with `takeover(row)`) when it is stale:
 * `taken` says whether this caller now holds it.
 */
export async function existingClaim(
  dedup: TableClient,
  door: Door,
  key: string,
  now: Date,
  takeover: (row: ClaimRow) => Record<string, unknown>,
): Promise<{ taken: boolean; row: ClaimRow }> {
  const rowKey = safeKey(key);
  const row = await dedup.getEntity<ClaimRow>(door, rowKey);
  const stale = row.state === 'pending' && now.getTime() - new Date(row.claimedAt).getTime() > STALE_CLAIM_MS;
  if (stale) {
    try {
      await dedup.updateEntity({ partitionKey: door, rowKey, state: 'pending', claimedAt: now, ...takeover(row) }, 'Merge', {
        etag: row.etag,
      });
      return { taken: true, row };
    } catch (e) {
      if (!isStatus(e, 412)) throw e;
    }
  }
  return { taken: false, row };
}

export const claimedIds = (row: { releaseIds?: string }): string[] => (row.releaseIds ? (JSON.parse(row.releaseIds) as string[]) : []);
