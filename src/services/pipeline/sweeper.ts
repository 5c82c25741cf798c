/**
 * Re-drives releases whose next look is overdue: a lost queue message, a crashed worker, a
 * message parked in the poison queue — and ended releases whose notices are due again (the
 * outbox), so a restart loses no notification. Grace keeps it from racing the normal queue delays.
 * Accepted events the platform parked in the admission poison queue go back for another round.
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
  const givenBack = await redriveAdmissions(d);
  return overdue.length + owed.length + givenBack;
}

async function redriveAdmissions(d: PipelineDeps): Promise<number> {
  if (!d.admissionPoison) return 0;
  const { moved, parked } = await d.admissionPoison.redrive(d.clock.now());
  if (moved) d.logger.warn('admission messages given back from the poison queue', { count: moved });
  // Never dropped: left parked for a person (Storage Explorer, or moved back by hand) and said so on every look.
  if (parked.length) d.logger.error('admission messages left in the poison queue', { count: parked.length, message_ids: parked });
  return moved;
}
