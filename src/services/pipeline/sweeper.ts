/**
 * Re-drives releases whose next look is overdue: a lost queue message, a crashed worker, a
 * message parked in the poison queue. Grace keeps it from racing the normal queue delays.
 */
import type { PipelineDeps } from './deps.js';

const GRACE_MS = 60_000;
const BATCH = 100;

export async function sweep(d: PipelineDeps): Promise<number> {
  const now = d.clock.now();
  const overdue = await d.store.overdue(new Date(now.getTime() - GRACE_MS), BATCH);
  for (const r of overdue) {
    d.logger.warn('release overdue; re-driving', {
      correlation_id: r.correlationId,
      release_id: r.id,
      phase: r.phase,
      next_check_at: r.nextCheckAt,
    });
    await d.queue.enqueue({ releaseId: r.id, correlationId: r.correlationId });
  }
  return overdue.length;
}
