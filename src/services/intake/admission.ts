/**
 * What the three doors share: the idempotency claim around a door's work, and admitting a release
 * (store plan with CAS) followed by its first work item — at the manual door and for the tail of
 * large ACR batches. The GitHub and ACR doors only accept (./accept.ts) and admit behind the queue.
 */
import type { AcceptedQueue, AdmissionQueue, Clock, CreateOutcome, IntakeLedger, Logger, ReleaseStore, WorkQueue } from '../ports.js';
import type { NewRelease } from '../domain/admission.js';
import type { Catalog } from '../domain/catalog.js';
import type { Door } from '../domain/release.js';

export interface IntakeDeps {
  store: ReleaseStore;
  queue: WorkQueue;
  /** Image events of large ACR batches, admitted after the door answered. */
  admissions: AdmissionQueue;
  /** Keys claimed with their reserved release ids (the GitHub and ACR doors), and the queue they wait in for admission. */
  ledger: IntakeLedger;
  accepted: AcceptedQueue;
  newReleaseId: (now: Date) => string;
  catalog: Catalog;
  environments: string[];
  loginServer: string;
  clock: Clock;
  logger: Logger;
}

/** Where automation deploys (pushes and image events): the first configured environment. */
export const deployEnvironment = (d: IntakeDeps): string => d.environments[0] ?? 'dev';

export async function admitAndEnqueue(d: IntakeDeps, input: NewRelease, log: Logger): Promise<CreateOutcome> {
  const out = await d.store.create(input, d.clock.now());
  if (out.kind === 'created') {
    log.info('release admitted', {
      release_id: out.release.id,
      app: input.app,
      environment: input.environment,
      kind: input.kind,
      superseded: out.superseded,
    });
    // If this enqueue is lost, the release is still due now and the sweeper picks it up.
    await d.queue.enqueue({ releaseId: out.release.id, correlationId: input.correlationId });
  } else {
    log.info('release not admitted', { app: input.app, outcome: out.kind, reason: out.reason });
  }
  return out;
}

type Once<T> =
  | { kind: 'duplicate'; duplicate: Extract<Awaited<ReturnType<ReleaseStore['claimEvent']>>, { state: 'duplicate' }> }
  | { kind: 'done'; result: T };
/** The key was first used for a different request (its fingerprint differs). */
type Mismatch = { kind: 'mismatch' };
type Outcome = { releaseIds?: string[]; ignored?: string };

/**
 * Runs a door's work once per idempotency key; a redelivery gets the first answer's release ids.
 * With a fingerprint of the request, reusing the key for a different request is told apart.
 */
export function once<T extends Outcome>(d: IntakeDeps, door: Door, key: string, work: () => Promise<T>): Promise<Once<T>>;
export function once<T extends Outcome>(
  d: IntakeDeps,
  door: Door,
  key: string,
  work: () => Promise<T>,
  fingerprint: string,
): Promise<Once<T> | Mismatch>;
export async function once<T extends Outcome>(
  d: IntakeDeps,
  door: Door,
  key: string,
  work: () => Promise<T>,
  fingerprint?: string,
): Promise<Once<T> | Mismatch> {
  const claim = await d.store.claimEvent(door, key, d.clock.now(), fingerprint);
  if (claim.state === 'duplicate') {
    // A claim written before fingerprints were kept has none: it cannot be told apart, so it is the same request.
    const differs = fingerprint !== undefined && claim.fingerprint !== undefined && claim.fingerprint !== fingerprint;
    return differs ? { kind: 'mismatch' } : { kind: 'duplicate', duplicate: claim };
  }
  let result: T;
  try {
    result = await work();
  } catch (e) {
    // The sender will see a 500 and may redeliver: that redelivery must do the work, not be a "duplicate".
    await d.store.releaseEvent(door, key).catch(() => undefined);
    throw e;
  }
  await d.store.completeEvent(door, key, { releaseIds: result.releaseIds ?? [], ...(result.ignored ? { ignored: result.ignored } : {}) });
  return { kind: 'done', result };
}
