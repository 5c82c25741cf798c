/**
 * Release ids a door reserves, derived from the event's claim row: `r-<time>-<digest>`, where
 * digest is the first six hex digits of the claim's row key (safeKey(key), a SHA-256) and time the
 * acceptance in ms (plus the release's place in the event). One claim row then answers for all of
 * its ids: the claims whose row key starts with an id's digest are a narrow range of one partition
 * (about one row per 16 million claims), and the one that lists the id is its reservation. So the
 * acknowledgement writes one row, not one more per id.
 */
import type { TableClient } from '@azure/data-tables';
import type { Door } from '../../domain/release.js';
import { safeKey } from './entities.js';

const DIGITS = 6;

/** The ids an event accepted at `now` with `count` releases gets (distinct times, one digest). */
export function reservedIds(key: string, count: number, now: Date): string[] {
  const digest = safeKey(key).slice(0, DIGITS);
  return Array.from({ length: count }, (_, i) => `r-${(now.getTime() + i).toString(36)}-${digest}`);
}

/** Whether the claim of `key` is found from `id` alone (so it needs no reservation row of its own). */
export const derivedFrom = (id: string, key: string): boolean => id.endsWith(`-${safeKey(key).slice(0, DIGITS)}`);

export interface ReservingClaim {
  door: Door;
  state: string;
  claimedAt: Date;
  releaseIds: string[];
  /** What admission made of each id (set when settled). */
  admissions?: Record<string, { outcome: string; of?: string; reason?: string }>;
}

interface Row {
  state: string;
  claimedAt: Date;
  releaseIds?: string;
  reserved?: boolean;
  admissions?: string;
}

/** The claim that reserved `id` among the doors' partitions, if any. */
export async function claimReserving(dedup: TableClient, doors: readonly Door[], id: string): Promise<ReservingClaim | undefined> {
  const digest = /-([0-9a-f]{6})$/.exec(id)?.[1];
  if (!digest) return undefined;
  const found = await Promise.all(
    doors.map(async (door) => {
      const filter = `PartitionKey eq '${door}' and RowKey ge '${digest}' and RowKey lt '${digest}g'`;
      const rows = dedup.listEntities<Row>({
        queryOptions: { filter, select: ['state', 'claimedAt', 'releaseIds', 'reserved', 'admissions'] },
      });
      for await (const row of rows) {
        const ids = row.releaseIds ? (JSON.parse(row.releaseIds) as string[]) : [];
        if (row.reserved === true && ids.includes(id))
          return {
            door,
            state: row.state,
            claimedAt: row.claimedAt,
            releaseIds: ids,
            ...(row.admissions ? { admissions: JSON.parse(row.admissions) as ReservingClaim['admissions'] } : {}),
          };
      }
      return undefined;
    }),
  );
  return found.find((f) => f !== undefined);
}
