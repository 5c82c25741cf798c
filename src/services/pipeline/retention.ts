/**
 * History kept bounded (issue #19), a bounded amount of work per sweeper tick: first the one-off
 * indexing of releases stored before the index existed, then the removal of ended releases created
 * longer ago than RELEASE_RETENTION_DAYS. Never removed, however old: what runs now, the last
 * verified release, anything the head still names (the slot holder, the pending release, the
 * latest build, the last blocked one, every quarantined digest's release) and an ended release
 * whose notices are still owed.
 */
import type { PipelineDeps } from './deps.js';
import type { Head } from '../domain/head.js';
import { isTerminal, type Release } from '../domain/release.js';
import { runningOf, RECENT } from '../board.js';

const BACKFILL_BATCH = 200;
/** Backfill batches per tick run until this much time has passed (about 100 k releases an hour at 30 s ticks). */
const BACKFILL_BUDGET_MS = 10_000;
/** Removals per tick, and rows looked at per tick (protected ones are looked at again every tick). */
const REMOVE_BATCH = 100;
const LOOK_MAX = 1_000;
const DAY_MS = 86_400_000;
/**
 * Retention's pace. Releases cross the age at the rate they were made, so a pass every ten minutes
 * keeps up; running it on every 30-s tick only paid for a query past the cutoff each time (on azurite,
 * a test of every index row). A pass that removed a full batch is followed at the next tick.
 */
export const RETENTION_EVERY_MS = 600_000;

/** When the next retention pass is due; one per sweeper (in-memory: each instance keeps its own pace). */
export interface RetentionPace {
  nextAt: number;
}

/** The ids an app/environment's head and its newest releases keep from retention. */
export function keptBy(head: Head, recent: Release[]): Set<string> {
  const running = runningOf(recent, head);
  return new Set(
    [
      head.active?.releaseId,
      head.pending?.releaseId,
      head.lastGood?.releaseId,
      head.latestBuild?.releaseId,
      head.lastBlocked?.releaseId,
      ...head.quarantined.map((q) => q.releaseId),
      running?.releaseId,
      running?.via,
    ].filter((id): id is string => id !== undefined),
  );
}

/** Whether an expired release may go: ended before the cutoff, kept by nothing, owed no notice. */
export function removable(r: Release, kept: ReadonlySet<string>, cutoff: Date): boolean {
  if (!isTerminal(r.phase) || kept.has(r.id)) return false;
  if (r.progress.notifyPending?.length) return false;
  return Date.parse(r.updatedAt) < cutoff.getTime();
}

export async function keepHistory(d: PipelineDeps, pace?: RetentionPace): Promise<{ indexed: number; removed: number }> {
  let indexed = 0;
  const began = performance.now();
  for (;;) {
    const step = await d.store.backfill(BACKFILL_BATCH);
    indexed += step.indexed;
    if (step.done || performance.now() - began > BACKFILL_BUDGET_MS) break;
  }
  if (indexed) d.logger.info('releases stored before the index indexed', { count: indexed });
  const days = d.settings.retentionDays ?? 0;
  if (days <= 0) return { indexed, removed: 0 };
  const now = d.clock.now().getTime();
  if (pace && now < pace.nextAt) return { indexed, removed: 0 };
  const cutoff = new Date(now - days * DAY_MS);
  const kept = new Map<string, Promise<Set<string>>>();
  const keptFor = (r: Release) => {
    const key = `${r.app}|${r.environment}`;
    let k = kept.get(key);
    if (!k) {
      k = Promise.all([d.store.head(r.app, r.environment), d.store.list({ app: r.app, environment: r.environment, limit: RECENT })]).then(
        ([head, recent]) => keptBy(head, recent),
      );
      kept.set(key, k);
    }
    return k;
  };
  let removed = 0;
  let looked = 0;
  let after: string | undefined;
  do {
    const page = await d.store.expired(cutoff, REMOVE_BATCH, after);
    looked += page.releases.length;
    for (const r of page.releases) {
      if (removed >= REMOVE_BATCH) break;
      if (!removable(r, await keptFor(r), cutoff)) continue;
      if ((await d.store.remove(r)) === 'removed') removed++;
    }
    after = page.next;
  } while (after !== undefined && removed < REMOVE_BATCH && looked < LOOK_MAX);
  if (pace) pace.nextAt = removed >= REMOVE_BATCH ? now : now + RETENTION_EVERY_MS;
  if (removed)
    d.logger.info('ended releases past the retention age removed', { count: removed, retention_days: days, cutoff: cutoff.toISOString() });
  return { indexed, removed };
}
