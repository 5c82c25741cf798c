/**
 * One writer per Deployment (domain/lease.ts), checked on the pure rule: every interleaving of an image
 * release of each app and a manifest release touching both — each take one compare-and-swap, as on the
 * store — with the manifest release crashing (and being re-driven) between any two of its steps, or after
 * its end was saved and before it freed its slots. In every schedule: at most one writer per app, no
 * deadlock, and in the end each head's verified digest is what the cluster runs.
 */
import { describe, expect, it } from 'vitest';
import { clearEndedHolder, emptyHead, releaseSlot, takeSlot, withPending, type Head } from '../../../src/services/domain/head.js';
import { afterManifestEnded, nextHold, slotOrder } from '../../../src/services/domain/lease.js';

const REGISTRY = 'tailspinacr.azurecr.io';
const digest = (n: number) => `sha256:${String(n).repeat(64)}`;
const pinned = (app: string, n: number) => `${REGISTRY}/${app}@${digest(n)}`;
const image = (app: string, n: number) => ({ registry: REGISTRY, repository: app, digest: digest(n) });
const APPS = ['tailspin-server', 'tailspin-client'];

interface ImageActor {
  kind: 'image';
  id: string;
  app: string;
  n: number;
  pc: 'take' | 'apply' | 'end' | 'done';
}
interface ManifestActor {
  kind: 'manifest';
  id: string;
  pc: 'hold' | 'pin' | 'apply' | 'end' | 'free' | 'done';
  pins?: Record<string, string>;
  ended: boolean;
  crashes: number;
}
type Actor = ImageActor | ManifestActor;
interface World {
  heads: Record<string, Head>;
  cluster: Record<string, string>;
  actors: Actor[];
}

const holderOf = (m: ManifestActor) => ({ releaseId: m.id, target: 'c0ffee', kind: 'manifest' as const });
const endedHolder = (w: World, id: string) => w.actors.some((a) => a.id === id && (a.kind === 'manifest' ? a.ended : a.pc === 'done'));

function start(order: 'image-first' | 'manifest-first'): World {
  const heads: Record<string, Head> = {};
  const cluster: Record<string, string> = {};
  for (const app of APPS) {
    heads[app] = { ...emptyHead(app, 'dev'), lastGood: { releaseId: `r-${app}-a`, target: digest(1), image: image(app, 1) } };
    cluster[app] = pinned(app, 1);
  }
  const images: Actor[] = APPS.map((app, i) => ({ kind: 'image', id: `r-img-${i}`, app, n: 2 + i, pc: 'take' }));
  for (const a of images)
    if (a.kind === 'image') heads[a.app] = withPending(heads[a.app] as Head, { releaseId: a.id, target: digest(a.n) });
  const manifest: Actor = { kind: 'manifest', id: 'r-manifest', pc: 'hold', ended: false, crashes: 0 };
  return { heads, cluster, actors: order === 'image-first' ? [...images, manifest] : [manifest, ...images] };
}

/** The actor's next atomic step, or undefined when it must wait. Checks the one-writer invariant as it goes. */
function step(w: World, i: number, opts: { crash?: 'before-apply' | 'after-end' }): World | undefined {
  const next = structuredClone(w);
  const a = next.actors[i] as Actor;
  if (a.kind === 'image') {
    const h = next.heads[a.app] as Head;
    if (a.pc === 'take') {
      const slot = takeSlot(h, a.id);
      if (slot.ok) [next.heads[a.app], a.pc] = [slot.head, 'apply'];
      else if (slot.why === 'busy' && endedHolder(next, slot.holder.releaseId))
        next.heads[a.app] = clearEndedHolder(h, slot.holder.releaseId);
      else return undefined;
    } else if (a.pc === 'apply') {
      expect(h.active?.releaseId).toBe(a.id);
      next.cluster[a.app] = pinned(a.app, a.n);
      a.pc = 'end';
    } else if (a.pc === 'end') {
      next.heads[a.app] = releaseSlot(h, a.id, { verified: { releaseId: a.id, target: digest(a.n), image: image(a.app, a.n) } });
      a.pc = 'done';
    }
    return next;
  }
  const order = slotOrder(APPS);
  if (a.pc === 'hold') {
    const hold = nextHold(
      order.map((app) => next.heads[app] as Head),
      holderOf(a),
    );
    if (hold.kind === 'held') a.pc = 'pin';
    else if (hold.kind === 'take') next.heads[hold.app] = hold.head;
    else if (endedHolder(next, hold.holder.releaseId))
      next.heads[hold.app] = clearEndedHolder(next.heads[hold.app] as Head, hold.holder.releaseId);
    else return undefined;
  } else if (a.pc === 'pin') {
    const pins: Record<string, string> = {};
    for (const app of order) pins[app] = `${REGISTRY}/${app}@${next.heads[app]?.lastGood?.image?.digest ?? ''}`;
    [a.pins, a.pc] = [pins, 'apply'];
  } else if (a.pc === 'apply') {
    for (const app of order) {
      expect(next.heads[app]?.active?.releaseId).toBe(a.id);
      next.cluster[app] = a.pins?.[app] ?? '';
    }
    a.pc = 'end';
  } else if (a.pc === 'end') {
    [a.ended, a.pc] = [true, opts.crash === 'after-end' ? 'done' : 'free'];
  } else if (a.pc === 'free') {
    for (const app of order)
      next.heads[app] = afterManifestEnded(next.heads[app] as Head, a.id, a.pins?.[app]) ?? (next.heads[app] as Head);
    a.pc = 'done';
  }
  return next;
}

/** A crash of the manifest release before it applied: its memory is gone; the sweeper re-drives it from its record. */
function crash(w: World, i: number): World | undefined {
  const a = w.actors[i];
  if (a?.kind !== 'manifest' || a.crashes > 0 || !['hold', 'pin'].includes(a.pc)) return undefined;
  const next = structuredClone(w);
  next.actors[i] = { ...a, pc: 'hold', crashes: 1 };
  delete next.actors[i].pins;
  return next;
}

/** Every schedule from `w` (states met twice are explored once): how many states; fails on a deadlock or a broken invariant. */
function explore(w: World, opts: { crash?: 'before-apply' | 'after-end' }, seen = new Set<string>()): number {
  const key = JSON.stringify(w);
  if (seen.has(key)) return 0;
  seen.add(key);
  if (w.actors.every((a) => a.pc === 'done')) {
    for (const app of APPS) expect(w.cluster[app]).toBe(`${REGISTRY}/${app}@${w.heads[app]?.lastGood?.image?.digest ?? '?'}`);
    return 1;
  }
  const moves = w.actors
    .flatMap((_, i) => [step(w, i, opts), ...(opts.crash === 'before-apply' ? [crash(w, i)] : [])])
    .filter((x) => x !== undefined);
  expect(moves.length, `deadlock: ${JSON.stringify(w.actors)}`).toBeGreaterThan(0);
  return moves.reduce((n, m) => n + explore(m, opts, seen), 1);
}

describe('one writer per Deployment: every interleaving of an image release per app and a manifest release of both', () => {
  for (const order of ['image-first', 'manifest-first'] as const) {
    for (const crash of [undefined, 'before-apply', 'after-end'] as const) {
      it(`${order}${crash ? `, the manifest release crashing ${crash === 'before-apply' ? 'between any two steps before apply' : 'after its end was saved, before freeing'}` : ''}`, () => {
        // Dozens to hundreds of distinct states, every schedule ending with no deadlock and the cluster running what the heads say.
        expect(explore(start(order), crash ? { crash } : {})).toBeGreaterThan(50);
      });
    }
  }

  it("the issue's repro, step by step: image B verifying holds the server; the manifest release pins B once it may, never A", () => {
    let w = start('image-first');
    w = step(w, 0, {}) as World; // B takes the server slot (deploying → verifying)
    w = step(w, 0, {}) as World; // B's image is in the cluster
    const m = 2;
    w = step(w, m, {}) as World; // the manifest release takes the client slot (first in order)
    expect(step(w, m, {})).toBeUndefined(); // and waits for B on the server
    w = step(w, 0, {}) as World; // B verified: the server's verified digest is B
    w = step(step(w, m, {}) as World, m, {}) as World; // takes the server slot, then every slot is held
    w = step(w, m, {}) as World; // pins
    expect((w.actors[m] as ManifestActor).pins?.['tailspin-server']).toBe(pinned('tailspin-server', 2));
  });
});
