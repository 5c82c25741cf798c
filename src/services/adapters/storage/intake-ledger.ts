/**
 * The intake ledger in the dedup table. A door's claim row (partition = door, row = hash of the
 * key, the same row the manual door's claims use) holds the release ids reserved for the event.
 * The ids the doors use are derived from that row's key (./reserved-ids.ts), so the claim alone
 * answers GET /api/deployments/{id} before and after admission: accepting is one insert. An id of
 * the caller's own choosing gets a reservation row (row = the id) written beside the claim, as
 * every id did before; those rows are still read. The loser of a claim race deletes its
 * reservation rows, and an id reserved by a door that died before the claim answered is an orphan
 * nobody was ever told about.
 */
import type { TableClient, TransactionAction } from '@azure/data-tables';
import type { Acceptance, Admission, IntakeLedger, ReservationState } from '../../ports.js';
import type { Door } from '../../domain/release.js';
import { isStatus, safeKey, createdOnce } from './entities.js';
import { claimedIds as ids, existingClaim, insertClaim, type ClaimRow } from './event-claim.js';
import { claimReserving, derivedFrom, reservedIds } from './reserved-ids.js';
/** Doors whose events are accepted here (the manual door admits at once). */
const ACCEPTING: readonly Door[] = ['github', 'acr'];

export function createIntakeLedger(dedup: TableClient): IntakeLedger {
  const ensure = createdOnce(() => dedup.createTable());
  const reservationRow = (door: Door, id: string, key: string, at: Date) => ({
    partitionKey: door,
    rowKey: id,
    type: 'reservation',
    key: key.slice(0, 200),
    outcome: 'pending',
    acceptedAt: at,
  });

  const gone = (e: unknown) => {
    if (!isStatus(e, 404)) throw e;
  };
  const withdraw = async (door: Door, key: string, releaseIds: string[]) => {
    await Promise.all([
      dedup.deleteEntity(door, safeKey(key)).catch(gone),
      ...releaseIds.filter((id) => !derivedFrom(id, key)).map((id) => dedup.deleteEntity(door, id).catch(gone)),
    ]);
  };

  return {
    reserveIds: reservedIds,

    async accept(door, key, releaseIds, now): Promise<Acceptance> {
      await ensure();
      const claim = { claimedAt: now, reserved: true };
      // Ids not derived from the key need a row each; single inserts side by side, not one entity-group
      // transaction: the same one round trip, and they do not queue behind each other (azurite runs
      // transactions one at a time).
      const own = releaseIds.filter((id) => !derivedFrom(id, key));
      const [claimed, ...reserved] = await Promise.allSettled([
        insertClaim(dedup, door, key, { ...claim, releaseIds: JSON.stringify(releaseIds) }),
        ...own.map((id) => dedup.createEntity(reservationRow(door, id, key, now))),
      ]);
      const held = own.filter((_, i) => reserved[i]?.status === 'fulfilled');
      const refused = reserved.find((r) => r.status === 'rejected');
      if (claimed?.status === 'fulfilled' && claimed.value === 'claimed') {
        if (!refused) return { state: 'accepted', releaseIds };
        // An id could not be reserved: undo, and let the sender try again (with new ids).
        await withdraw(door, key, held);
        throw isStatus(refused.reason, 409)
          ? new Error('a reserved release id is already taken; accept again with new ids')
          : refused.reason;
      }
      // The key was claimed before (or the claim failed): the ids reserved just now belong to nobody.
      await Promise.all(held.map((id) => dedup.deleteEntity(door, id).catch(gone)));
      if (claimed?.status === 'rejected') throw claimed.reason;
      // A stale claim is taken over: a reserved claim keeps its ids (the same releases, admitted
      // idempotently); an older claim gets ours.
      const taking = (row: ClaimRow) => (row.reserved ? ids(row) : releaseIds);
      const { taken, row } = await existingClaim(dedup, door, key, now, (r) => ({
        key: key.slice(0, 200),
        ...claim,
        releaseIds: JSON.stringify(taking(r)),
      }));
      if (taken) {
        if (!row.reserved)
          await Promise.all(
            releaseIds.filter((id) => !derivedFrom(id, key)).map((id) => dedup.upsertEntity(reservationRow(door, id, key, now), 'Replace')),
          );
        return { state: 'accepted', releaseIds: taking(row) };
      }
      return {
        state: 'duplicate',
        releaseIds: ids(row),
        inFlight: row.state === 'pending',
        ...(row.ignored ? { ignored: row.ignored } : {}),
      };
    },

    withdraw,

    async claimOf(door, key) {
      await ensure();
      try {
        const row = await dedup.getEntity<ClaimRow>(door, safeKey(key));
        return { releaseIds: ids(row), settled: row.state === 'done' };
      } catch (e) {
        if (isStatus(e, 404)) return undefined;
        throw e;
      }
    },

    async settle(door, key, admissions) {
      const ignored = admissions.flatMap((a) => (a.outcome === 'release' ? [] : [a.reason])).join('; ');
      const outcomes = Object.fromEntries(admissions.map((a) => [a.id, outcomeOf(a)]));
      const claim = { partitionKey: door, rowKey: safeKey(key), state: 'done', ignored, admissions: JSON.stringify(outcomes) };
      const own = admissions.filter((a) => !derivedFrom(a.id, key));
      if (own.length === 0) return void (await dedup.updateEntity(claim, 'Merge'));
      await dedup.submitTransaction([
        ['update', claim, 'Merge'],
        ...own.map((a): TransactionAction => ['update', { partitionKey: door, rowKey: a.id, ...outcomeOf(a) }, 'Merge']),
      ]);
    },

    async reservation(id) {
      await ensure();
      const claim = await claimReserving(dedup, ACCEPTING, id);
      if (claim) {
        const settled = claim.admissions?.[id];
        if (claim.state !== 'done' || settled)
          return stateOf(id, claim.door, { outcome: settled?.outcome ?? 'pending', acceptedAt: claim.claimedAt, ...settled });
      }
      const found = await Promise.all(
        ACCEPTING.map((door) =>
          dedup.getEntity<{ outcome: string; acceptedAt: Date; of?: string; reason?: string }>(door, id).then(
            (row) => ({ door, row }),
            (e: unknown) => {
              if (isStatus(e, 404)) return undefined;
              throw e;
            },
          ),
        ),
      );
      const hit = found.find((f) => f !== undefined);
      if (!hit) return undefined;
      return stateOf(id, hit.door, hit.row);
    },
  };
}

/** What a reservation records of an admission (on the claim row per id, or on the id's own row). */
const outcomeOf = (a: Admission) => ({
  outcome: a.outcome,
  of: a.outcome === 'duplicate' ? a.of : '',
  reason: 'reason' in a ? a.reason : '',
});

function stateOf(id: string, door: Door, row: { outcome: string; acceptedAt: Date; of?: string; reason?: string }): ReservationState {
  const base = { id, door, acceptedAt: new Date(row.acceptedAt).toISOString() };
  const reason = row.reason ?? '';
  const admission: Admission | { outcome: 'pending' } =
    row.outcome === 'release'
      ? { id, outcome: 'release' }
      : row.outcome === 'duplicate'
        ? { id, outcome: 'duplicate', of: row.of ?? '', reason }
        : row.outcome === 'ignored'
          ? { id, outcome: 'ignored', reason }
          : { outcome: 'pending' };
  return { ...base, ...admission };
}
