/**
 * One writer per Deployment (DESIGN.md §3): whatever door a release came from, the release that changes an
 * app's Deployment holds that app/environment's slot — `active` on the app's head — from before its first
 * change until it ends. The rule, once:
 *
 * 1. Who holds: image and rollback releases (automatic or manual) are admitted on their app's head and take
 *    its slot as its pending release (head.takeSlot). Manifest releases are admitted on the `k8s` head,
 *    which orders them among themselves; before applying they hold the slot of every catalog app whose
 *    Deployment they contain (head.holdSlot, `kind: 'manifest'`). A build holds nothing: it changes no Deployment.
 * 2. Order: a manifest release takes the `k8s` slot first, then the app slots one by one in `slotOrder`
 *    (by app name), never skipping a busy one. Image and rollback releases hold one slot and wait for
 *    nothing while they hold it. So every waiter waits for a holder that needs nothing it holds: no cycle,
 *    no deadlock, across instances (each take is a compare-and-swap on that head's row).
 * 3. Supersede: only within one head — the newest pending image/rollback release of an app supersedes the
 *    older pending one, the newest pending manifest release supersedes the older one — and only before the
 *    cluster was touched. Never across kinds: neither carries the other's change, so a manifest release
 *    waits for the image release holding an app it touches, and the reverse.
 * 4. Pins: a manifest release pins each app to the digest current when it holds the app's slot — the app's
 *    last verified digest then (so an image release verified meanwhile is kept), or, for an app with none
 *    yet, the manifest's own image, resolved and gated. The slot is held until the release ends, so no
 *    other release of ours changes the image under its rollout watch ("changed by someone else").
 * 5. Crash safety: taking is idempotent (a holder finds itself); each take is recorded on the release; a
 *    release frees every slot it holds when it ends (after its terminal state is saved); a slot whose holder
 *    has ended or vanished is cleared by the next release that wants it. A release killed between two takes
 *    is re-driven by the sweeper and goes on from the slot it holds; it cannot hold it past its own end.
 */
import { parseImageRef } from './image-ref.js';
import { clearEndedHolder, holdSlot, type Head, type HeadRef } from './head.js';

/** The one order in which a release takes app slots. */
export const slotOrder = (apps: Iterable<string>): string[] => [...new Set(apps)].sort();

export type NextHold =
  /** Every slot is held. */
  | { kind: 'held' }
  /** Write this head (compare-and-swap), then look again. */
  | { kind: 'take'; app: string; head: Head }
  /** Wait for the holder, or clear it if it has ended. */
  | { kind: 'busy'; app: string; holder: HeadRef };

/** The next step towards holding every slot in `heads` (given in slotOrder) for `holder`. */
export function nextHold(heads: Head[], holder: HeadRef): NextHold {
  for (const h of heads) {
    const r = holdSlot(h, holder);
    if (!r.ok) return { kind: 'busy', app: h.app, holder: r.holder };
    if (r.changed) return { kind: 'take', app: h.app, head: r.head };
  }
  return { kind: 'held' };
}

/**
 * An app head once the manifest release `releaseId` has ended: its slot freed; and when the release
 * succeeded with the app pinned to `verified` while the app had no verified digest, that one becomes it.
 * Undefined when nothing changes.
 */
export function afterManifestEnded(head: Head, releaseId: string, verified: string | undefined): Head | undefined {
  const ref = verified ? parseImageRef(verified) : undefined;
  const adopt = ref?.ok && ref.value.digest && !head.lastGood ? { ...ref.value, digest: ref.value.digest } : undefined;
  const holds = head.active?.releaseId === releaseId;
  if (!holds && !adopt) return undefined;
  const next = clearEndedHolder(head, releaseId);
  if (!adopt) return next;
  const { tag: _tag, ...image } = adopt;
  return { ...next, lastGood: { releaseId, target: image.digest, image } };
}
