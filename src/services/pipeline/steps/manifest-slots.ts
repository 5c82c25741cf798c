/**
 * A manifest release's hold on the apps it changes (domain/lease.ts): their slots taken one per tick in
 * slotOrder, each take recorded before the next, and freed again once the release has ended.
 */
import { clearEndedHolder, type HeadRef } from '../../domain/head.js';
import { afterManifestEnded, nextHold, slotOrder } from '../../domain/lease.js';
import { isTerminal, type Release } from '../../domain/release.js';
import type { Logger, StoredHead } from '../../ports.js';
import type { PipelineDeps } from '../deps.js';
import { wait, type Decision } from '../decision.js';
import { addSeconds, finish, holderEnded, waitingSince, type StepContext } from './common.js';

/** The slot holder a manifest release writes on each app head it changes. */
const holderOf = (r: Release): HeadRef => ({ releaseId: r.id, target: r.manifestCommit ?? r.id, kind: 'manifest' });

/**
 * Hold every app's slot. The heads, in slotOrder, once all are held; otherwise what this tick did (took
 * one slot, cleared an ended holder, waits for a busy one, or gave up waiting).
 */
export async function holdSlots(
  c: StepContext,
  apps: string[],
  giveUp: (why: string) => Promise<Decision> = (why) => finish(c, 'blocked', `${why}; nothing was applied`, {}),
): Promise<{ held: StoredHead[] } | { decision: Decision }> {
  const { r, d } = c;
  const order = slotOrder(apps);
  const heads = await Promise.all(order.map((a) => d.store.head(a, r.environment)));
  const next = nextHold(heads, holderOf(r));
  if (next.kind === 'held') return { held: heads };
  const current = heads[order.indexOf(next.app)];
  if (next.kind === 'take') {
    const put = await d.store.putHead({ ...next.head, ...(current?.etag ? { etag: current.etag } : {}) });
    // Lost the compare-and-swap: look again at once.
    if (!put.ok) return { decision: { kind: 'continue' } };
    c.log.info('manifest release holds an app slot', { app: next.app });
    return { decision: { kind: 'continue', progress: { slots: [...(r.progress.slots ?? []).filter((s) => s !== next.app), next.app] } } };
  }
  if (current && (await holderEnded(c, next.holder.releaseId))) {
    await d.store.putHead(clearEndedHolder(current, next.holder.releaseId));
    return { decision: { kind: 'continue' } };
  }
  const why = `${next.app}: waiting for release ${next.holder.releaseId} to finish`;
  const deadline = addSeconds(waitingSince(c, 'slot'), d.settings.slotWaitSeconds);
  if (c.now > deadline) return { decision: await giveUp(`gave up after ${d.settings.slotWaitSeconds} s ${why}`) };
  return { decision: wait('slot', why, deadline, d.settings.rolloutPollSeconds) };
}

/**
 * After a manifest release ended: free each app slot it still holds (every catalog app is looked at, so
 * a take the release never recorded is freed too), and keep what it verified for an app that had nothing
 * verified. Idempotent; a failure here is logged, and the next release that wants the slot clears it.
 */
export async function freeSlots(d: PipelineDeps, r: Release, log: Logger): Promise<void> {
  if (r.kind !== 'manifest' || !isTerminal(r.phase)) return;
  const verified = r.phase === 'succeeded' ? (r.progress.manifest?.pins ?? {}) : {};
  for (const app of d.catalog.apps) {
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        const head = await d.store.head(app.name, r.environment);
        const next = afterManifestEnded(head, r.id, verified[app.name]);
        if (!next) break;
        if ((await d.store.putHead({ ...next, ...(head.etag ? { etag: head.etag } : {}) })).ok) break;
      }
    } catch (e) {
      log.warn('could not free an app slot; the next release that wants it will', { app: app.name, error: e });
    }
  }
}
