/**
 * Releases, their timelines, app/environment heads and door dedup rows in Azure Tables.
 * Everything that must change together (a release, its timeline entry, the head, a superseded
 * release) lives in one partition and is written in one entity-group transaction with ETags.
 */
import type { TableClient, TransactionAction } from '@azure/data-tables';
import type { CreateOutcome, EventClaim, NewRelease, ReleaseStore, SaveChange, StoredHead } from '../../ports.js';
import { isTerminal, type Door, type Release, type TimelineEntry as Entry } from '../../domain/release.js';
import { emptyHead } from '../../domain/head.js';
import { planAdmission, supersede } from '../../domain/admission.js';
import { err, ok, type Result } from '../../domain/result.js';
import { keyedLock } from './keyed-lock.js';
import {
  HEAD_ROW,
  ID_PARTITION,
  headEntity,
  newReleaseId,
  partitionOf,
  releaseEntity,
  releaseRowKey,
  safeKey,
  timelineEntity,
  unpackJson,
  isStatus,
  createdOnce,
} from './entities.js';
import { Head as HeadSchema, TimelineEntry, parseStored } from './schema.js';
import { createHistory, storedRelease } from './release-history.js';
import { dueAt } from './due-index.js';
import { claimedIds, existingClaim, insertClaim } from './event-claim.js';

const MAX_CAS_ATTEMPTS = 30;

export interface ReleaseStoreTables {
  releases: TableClient;
  dedup: TableClient;
  /** Listing rows, newest first per view (issue #19). */
  index: TableClient;
  /** One row per active release: what the sweeper reads. */
  due: TableClient;
}

/**
 * The release row is always the first action. Sub-responses of updates may lack a row key
 * (azurite), so fall back to position; without an etag the next save re-reads, never reuses a stale one.
 */
function releaseEtag(
  res: { subResponses: { etag?: string }[]; getResponseForEntity(rk: string): { etag?: string } | undefined },
  rk: string,
) {
  return res.getResponseForEntity(rk)?.etag ?? res.subResponses[0]?.etag;
}

/**
 * When a save moves the release's due row (due-index.ts): before the release when its next look
 * comes earlier (a crash then leaves the row early, never late), after it when the look moves
 * later or the phase changes, gone once it ends. Compared with the next look as stored, which the
 * store hands out with the release: the release given to save already carries the new one.
 */
export function dueMove(stored: Release, next: Release): 'before' | 'after' | 'remove' | 'none' {
  if (isTerminal(next.phase)) return 'remove';
  const to = dueAt(next).getTime();
  if (stored.storedDueMs === undefined || to < stored.storedDueMs) return 'before';
  return to > stored.storedDueMs || next.phase !== stored.phase ? 'after' : 'none';
}

export function createReleaseStore(t: ReleaseStoreTables): ReleaseStore & { ensure(): Promise<void> } {
  const ensure = createdOnce(() => Promise.all([t.releases, t.dedup, t.index, t.due].map((c) => c.createTable())));

  async function readHead(app: string, environment: string): Promise<StoredHead> {
    await ensure();
    try {
      const e = await t.releases.getEntity<Record<string, unknown>>(partitionOf(app, environment), HEAD_ROW);
      return { ...parseStored(HeadSchema, unpackJson(e), `head ${app}/${environment}`), ...(e.etag ? { etag: e.etag } : {}) };
    } catch (e) {
      if (isStatus(e, 404)) return emptyHead(app, environment);
      throw e;
    }
  }

  function headAction(h: StoredHead): TransactionAction {
    return h.etag ? ['update', headEntity(h), 'Replace', { etag: h.etag }] : ['create', headEntity(h)];
  }

  async function readRelease(id: string): Promise<Release | undefined> {
    await ensure();
    let pointer: { pk: string; rk: string };
    try {
      const e = await t.releases.getEntity<{ pk: string; rk: string }>(ID_PARTITION, safeKey(id));
      pointer = { pk: e.pk, rk: e.rk };
    } catch (e) {
      if (isStatus(e, 404)) return undefined;
      throw e;
    }
    const rows: Record<string, unknown>[] = [];
    // The release row and its timeline rows share a row-key prefix.
    const filter = `PartitionKey eq '${pointer.pk.replace(/'/g, "''")}' and RowKey ge '${pointer.rk}' and RowKey lt '${pointer.rk}~~'`;
    for await (const e of t.releases.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) rows.push(e);
    const main = rows.find((r) => r.rowKey === pointer.rk);
    if (!main) return undefined;
    const timeline = rows.filter((r) => r.type === 'timeline').map((r) => parseStored(TimelineEntry, unpackJson(r), `timeline of ${id}`));
    return storedRelease(main, timeline);
  }

  const rowKeyOf = (r: Pick<Release, 'id' | 'createdAt'>) => releaseRowKey(r.id, new Date(r.createdAt));

  const history = createHistory(t, ensure);
  const { index, due, locate, ...reads } = history;

  /**
   * The release a new one supersedes, by two point reads (its id pointer, its row) and without its
   * timeline: the row says how long that is. A query over its partition would read the timeline too
   * (and azurite answers any query by scanning the whole table).
   */
  async function readToSupersede(id: string): Promise<{ old: Release; seq: number } | undefined> {
    const at = await locate(id);
    if (!at) return undefined;
    const e = await t.releases.getEntity<Record<string, unknown>>(at.pk, at.rk).catch((err: unknown) => {
      if (isStatus(err, 404)) return undefined;
      throw err;
    });
    if (!e) return undefined;
    if (typeof e.timelineLength !== 'number') {
      const full = await readRelease(id);
      return full ? { old: full, seq: full.timeline.length } : undefined;
    }
    return { old: storedRelease(e, []), seq: e.timelineLength };
  }

  function supersedeActions(old: Release, seq: number, byId: string, now: Date): TransactionAction[] {
    const next = old.etag ? supersede(old, byId, now) : undefined;
    const entry = next?.timeline.at(-1);
    if (!next || !entry) return [];
    const rk = rowKeyOf(old);
    return [
      ['update', { ...releaseEntity(next, rk), timelineLength: seq + 1 }, 'Replace', { etag: old.etag }],
      ['create', timelineEntity(partitionOf(old.app, old.environment), rk, seq, entry)],
    ];
  }

  const admissions = keyedLock();

  async function admitRelease(input: NewRelease, now: Date): Promise<CreateOutcome> {
    const pk = partitionOf(input.app, input.environment);
    const id = input.id ?? newReleaseId(now);
    const rk = releaseRowKey(id, now);
    // The id pointer, index rows and a due row live elsewhere and are written first; if admission
    // loses they are taken back, and a crash leaves rows that readers skip and the sweeper removes.
    // They overlap the first head read: no round trip more on the webhook's path.
    const provisional = { id, app: input.app, environment: input.environment, source: input.source, createdAt: now.toISOString() };
    const [, initialHead] = await Promise.all([
      t.releases.upsertEntity({ partitionKey: ID_PARTITION, rowKey: safeKey(id), pk, rk }, 'Replace'),
      readHead(input.app, input.environment),
      index.putCreation(provisional),
      due.put({ ...provisional, phase: 'queued', nextCheckAt: provisional.createdAt } as Release),
    ]);
    const takeBack = () =>
      Promise.all([t.releases.deleteEntity(ID_PARTITION, safeKey(id)), index.dropCreation(provisional), due.remove(id)]).catch(
        () => undefined,
      );
    let firstHead: StoredHead | undefined = initialHead;
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      // Jittered, growing pause after a lost compare-and-swap: concurrent pushes for one app otherwise collide again at once.
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.random() * Math.min(250, 10 * 2 ** attempt)));
      const head = firstHead ?? (await readHead(input.app, input.environment));
      firstHead = undefined;
      const plan = planAdmission(head, input, id, now);
      if (plan.kind !== 'admit') {
        // A reserved id admitted by another delivery of the same accepted event is its own duplicate: its
        // pointer, index and due rows are that release's own (same id, same acceptance time), so they stay.
        const self = plan.kind === 'duplicate' && plan.of === id;
        if (!self) await takeBack();
        return plan.kind === 'duplicate' ? { kind: 'duplicate', releaseId: plan.of, reason: plan.reason } : plan;
      }
      const { release } = plan;
      const [first] = release.timeline;
      const toSupersede = plan.supersedes ? await readToSupersede(plan.supersedes) : undefined;
      const old = toSupersede?.old;
      // Index first: a superseded release is listed under its ending before it has it (readers check).
      const superseding = toSupersede ? supersedeActions(toSupersede.old, toSupersede.seq, id, now) : [];
      if (old && superseding.length) await index.putEnding(old, 'superseded');
      const actions: TransactionAction[] = [
        ['create', releaseEntity(release, rk)],
        ...(first ? [['create', timelineEntity(pk, rk, 0, first)] satisfies TransactionAction] : []),
        headAction({ ...plan.head, ...(head.etag ? { etag: head.etag } : {}) }),
        ...superseding,
      ];
      try {
        const res = await t.releases.submitTransaction(actions);
        const etag = releaseEtag(res, rk);
        await Promise.all([
          old && superseding.length ? due.remove(old.id) : undefined,
          release.phase !== 'queued' || dueAt(release).toISOString() !== provisional.createdAt ? due.put(release) : undefined,
        ]);
        const stored = { ...release, ...(etag ? { etag } : {}), storedDueMs: dueAt(release).getTime() };
        return { kind: 'created', release: stored, ...(old ? { superseded: old.id } : {}) };
      } catch (e) {
        if (!isStatus(e, 409, 412)) throw e;
      }
    }
    await takeBack();
    throw new Error(`could not admit a release for ${pk}: too much contention`);
  }

  return {
    ensure,
    head: readHead,
    get: readRelease,

    async claimEvent(door: Door, key: string, now: Date, fingerprint?: string): Promise<EventClaim> {
      await ensure();
      const fp = fingerprint ? { fingerprint } : {};
      if ((await insertClaim(t.dedup, door, key, { claimedAt: now, ...fp })) === 'claimed') return { state: 'claimed' };
      const { taken, row } = await existingClaim(t.dedup, door, key, now, () => fp);
      if (taken) return { state: 'claimed' };
      return {
        state: 'duplicate',
        releaseIds: claimedIds(row),
        ...(row.ignored ? { ignored: row.ignored } : {}),
        inFlight: row.state === 'pending',
        ...(row.fingerprint ? { fingerprint: row.fingerprint } : {}),
      };
    },

    async completeEvent(door, key, result) {
      await t.dedup.updateEntity(
        {
          partitionKey: door,
          rowKey: safeKey(key),
          state: 'done',
          releaseIds: JSON.stringify(result.releaseIds),
          ignored: result.ignored ?? '',
        },
        'Merge',
      );
    },

    async releaseEvent(door, key) {
      await t.dedup.deleteEntity(door, safeKey(key)).catch((e: unknown) => {
        if (!isStatus(e, 404)) throw e;
      });
    },

    async create(input: NewRelease, now: Date): Promise<CreateOutcome> {
      await ensure();
      return admissions(partitionOf(input.app, input.environment), () => admitRelease(input, now));
    },

    // Listings, overdue releases, retention and the backfill: release-history.ts.
    ...reads,

    async save(release: Release, change: SaveChange, now: Date): Promise<Result<Release, 'conflict'>> {
      await ensure();
      const pk = partitionOf(release.app, release.environment);
      const rk = rowKeyOf(release);
      const at = now.toISOString();
      let next: Release = { ...release, updatedAt: at };
      const actions: TransactionAction[] = [];
      if (change.to && change.to !== release.phase) {
        const entry: Entry = {
          at,
          from: release.phase,
          to: change.to,
          reason: change.reason ?? '',
          correlationId: release.correlationId,
        };
        next = { ...next, phase: change.to, timeline: [...release.timeline, entry] };
        actions.push(['create', timelineEntity(pk, rk, release.timeline.length, entry)]);
      }
      if (isTerminal(next.phase)) {
        delete next.nextCheckAt;
        delete next.wait;
      }
      actions.unshift(
        release.etag
          ? ['update', releaseEntity(next, rk), 'Replace', { etag: release.etag }]
          : ['upsert', releaseEntity(next, rk), 'Replace'],
      );
      if (change.head) actions.push(headAction(change.head));
      const ends = isTerminal(next.phase) && !isTerminal(release.phase);
      const move = dueMove(release, next);
      // Index first (see release-index.ts, due-index.ts): an ending's rows, a release saved without an
      // etag (never indexed by admission), a next look moved earlier.
      await Promise.all([
        ends ? index.putEnding(release, next.phase) : undefined,
        release.etag ? undefined : index.putCreation(release),
        move === 'before' ? due.put(next) : undefined,
      ]);
      try {
        const res = await t.releases.submitTransaction(actions);
        const { etag: _stale, storedDueMs: _was, ...fresh } = next;
        const etag = releaseEtag(res, rk);
        if (move === 'remove') await due.remove(release.id);
        else if (move === 'after') await due.put(next);
        return ok({ ...fresh, ...(etag ? { etag } : {}), storedDueMs: dueAt(next).getTime() });
      } catch (e) {
        if (isStatus(e, 409, 412)) return err('conflict');
        throw e;
      }
    },

    async putHead(h: StoredHead): Promise<Result<StoredHead, 'conflict'>> {
      await ensure();
      const { etag: _old, ...head } = h;
      try {
        const res = h.etag
          ? await t.releases.updateEntity(headEntity(head), 'Replace', { etag: h.etag })
          : await t.releases.createEntity(headEntity(head));
        return ok({ ...head, ...(res.etag ? { etag: res.etag } : {}) });
      } catch (e) {
        if (isStatus(e, 409, 412)) return err('conflict');
        throw e;
      }
    },
  };
}
