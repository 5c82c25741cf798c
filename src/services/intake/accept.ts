/**
 * Acknowledge with the irreducible work: the GitHub and ACR doors claim the event's key with the
 * release ids it will have (one table write), queue it (one message) and answer. Admission — head
 * compare-and-swap, supersede, semantic dedup — runs behind the queue (admitAccepted), where a
 * crash is retried and a repeat is harmless: the reserved id and creation time make the same rows.
 */
import type { AcceptedEvent, Acceptance, Admission, Logger, NewRelease } from '../ports.js';
import type { Door } from '../domain/release.js';
import type { IntakeDeps } from './admission.js';

export interface Accepting {
  door: Door;
  key: string;
  inputs: NewRelease[];
}

/**
 * Accept events: claims first (each key on its own), then one message for all that were newly
 * accepted. If that message cannot be queued, the claims are withdrawn and the error thrown: the
 * sender is told to try again, and its retry is accepted afresh.
 */
export async function acceptEvents(d: IntakeDeps, events: Accepting[], log: Logger): Promise<Acceptance[]> {
  const now = d.clock.now();
  const acceptedAt = now.toISOString();
  const answers = await Promise.all(
    events.map((e) => d.ledger.accept(e.door, e.key, d.ledger.reserveIds(e.key, e.inputs.length, now), now)),
  );
  const queued: AcceptedEvent[] = [];
  answers.forEach((a, i) => {
    const e = events[i];
    if (!e || a.state !== 'accepted') return;
    queued.push({
      door: e.door,
      key: e.key,
      acceptedAt,
      releases: a.releaseIds.map((id, at) => ({ id, input: e.inputs[at] as NewRelease })),
    });
  });
  try {
    await d.accepted.send(queued);
  } catch (e) {
    await Promise.all(
      queued.map((q) =>
        d.ledger.withdraw(
          q.door,
          q.key,
          q.releases.map((r) => r.id),
        ),
      ),
    ).catch(() => undefined);
    throw e;
  }
  if (queued.length > 0)
    log.info('events accepted', { count: queued.length, release_ids: queued.flatMap((q) => q.releases.map((r) => r.id)) });
  return answers;
}

/**
 * Admit accepted events (the admission queue's worker). A message whose key is claimed for other
 * ids is a stray (a duplicate delivery that lost the claim) and is dropped; one already settled was
 * admitted before. Throws on failure so the queue retries.
 */
export async function admitAccepted(d: IntakeDeps, events: AcceptedEvent[], log: Logger): Promise<Admission[]> {
  const out: Admission[] = [];
  for (const e of events) {
    const claim = await d.ledger.claimOf(e.door, e.key);
    const ids = e.releases.map((r) => r.id);
    if (!claim || claim.settled || claim.releaseIds.join() !== ids.join()) {
      log.info('accepted event already admitted or not ours', { door: e.door, settled: claim?.settled ?? false });
      continue;
    }
    const admitted: Admission[] = [];
    for (const r of e.releases) admitted.push(await admitOne(d, r.id, r.input, new Date(e.acceptedAt), log));
    await d.ledger.settle(e.door, e.key, admitted);
    out.push(...admitted);
  }
  return out;
}

async function admitOne(d: IntakeDeps, id: string, input: NewRelease, acceptedAt: Date, log: Logger): Promise<Admission> {
  const l = log.child({ correlation_id: input.correlationId });
  // Admitted by an earlier try of this message that died before settling: only its first work item may be missing.
  const earlier = await d.store.get(id);
  // Two events whose keys share the digest the id carries, accepted in the same millisecond, get the same id: refuse
  // loudly (the message is retried, then lands in the poison queue) rather than make the second event the first's release.
  if (earlier && earlier.correlationId !== input.correlationId)
    throw new Error(`release id ${id} is already the release of another event (${earlier.correlationId}), not of ${input.correlationId}`);
  if (!earlier) {
    const out = await d.store.create({ ...input, id }, acceptedAt);
    if (out.kind === 'ignored' || (out.kind === 'duplicate' && out.releaseId !== id)) {
      l.info('release not admitted', { release_id: id, app: input.app, outcome: out.kind, reason: out.reason });
      return out.kind === 'duplicate'
        ? { id, outcome: 'duplicate', of: out.releaseId, reason: out.reason }
        : { id, outcome: 'ignored', reason: out.reason };
    }
    if (out.kind === 'created')
      l.info('release admitted', {
        release_id: id,
        app: input.app,
        environment: input.environment,
        kind: input.kind,
        superseded: out.superseded,
      });
  }
  // If this enqueue is lost, the release is still due and the sweeper picks it up.
  await d.queue.enqueue({ releaseId: id, correlationId: input.correlationId });
  return { id, outcome: 'release' };
}
