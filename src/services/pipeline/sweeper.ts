/**
 * Re-drives releases whose next look is overdue: a lost queue message, a crashed worker, a
 * message parked in the poison queue — and ended releases whose notices are due again (the
 * outbox), so a restart loses no notification. Grace keeps it from racing the normal queue delays.
 */
import type { PipelineDeps } from './deps.js';

const GRACE_MS = 60_000;
const BATCH = 100;

export async function sweep(d: PipelineDeps): Promise<number> {
  const now = d.clock.now();
  const before = new Date(now.getTime() - GRACE_MS);
  const overdue = await d.store.overdue(before, BATCH);
  for (const r of overdue) {
    d.logger.warn('release overdue; re-driving', {
      correlation_id: r.correlationId,
      release_id: r.id,
      phase: r.phase,
      next_check_at: r.nextCheckAt,
    });
    await d.queue.enqueue({ releaseId: r.id, correlationId: r.correlationId });
  }
  const owed = await d.outbox.due(before, BATCH);
  for (const e of owed) {
    d.logger.warn('notifications overdue; re-driving', {
      correlation_id: e.correlationId,
      release_id: e.releaseId,
      due_at: e.dueAt,
      since: e.since,
    });
    await d.queue.enqueue({ releaseId: e.releaseId, correlationId: e.correlationId });
  }
  return overdue.length + owed.length;
}
