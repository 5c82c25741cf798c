import { describe, expect, it } from 'vitest';
import { reconcile } from '../../../src/services/pipeline/reconcile.js';
import type { Release } from '../../../src/services/domain/release.js';
import type { WorkItem } from '../../../src/services/ports.js';
import { COMMIT, aRelease, errR, fail, iso, memoryStore, okR, pinned, rolledOut, world, type WorldScript } from './world.js';

const ID = 'r-test-000001';
const deploying = (over: Partial<Release> = {}) =>
  aRelease({
    phase: 'deploying',
    nextCheckAt: iso(0),
    progress: { deployIntent: { image: pinned(1) }, imageSetAt: iso(-10), githubDeploymentId: 77 },
    ...over,
  });

function setup(releases: Release[], s: WorldScript = {}) {
  const mem = memoryStore(releases);
  const enqueued: { item: WorkItem; delaySeconds?: number }[] = [];
  const w = world({
    ...s,
    store: { ...mem.store, ...s.store },
    queue: {
      enqueue: (item, opts) => {
        enqueued.push({ item, ...(opts?.delaySeconds !== undefined ? { delaySeconds: opts.delaySeconds } : {}) });
        return Promise.resolve();
      },
    },
  });
  return { ...mem, w, enqueued };
}
const progressing = rolledOut(pinned(1), { updatedReplicas: 1 });

describe('reconcile', () => {
  it('persists a wait with what it waits on, and looks again after its interval', async () => {
    const { w, row, enqueued } = setup([deploying()], { cluster: { observe: () => okR(progressing) } });
    expect(await reconcile(w.d, ID)).toEqual({ kind: 'stepped', phase: 'deploying', nextInSeconds: 5 });
    expect(row(ID)?.wait).toEqual({ on: 'rollout', for: 'rollout: 1 of 2 updated replicas', since: iso(0), deadline: iso(590) });
    expect(row(ID)?.nextCheckAt).toBe(iso(5));
    expect(enqueued).toEqual([{ item: { releaseId: ID, correlationId: 'evt-1' }, delaySeconds: 5 }]);
  });

  it('keeps when a wait began while it waits on the same thing, and restarts it for something else', async () => {
    const same = deploying({ wait: { on: 'rollout', for: 'rollout: 0 of 2 updated replicas', since: iso(-30), deadline: iso(590) } });
    const a = setup([same], { cluster: { observe: () => okR(progressing) } });
    await reconcile(a.w.d, ID);
    expect(a.row(ID)?.wait?.since).toBe(iso(-30));
    const other = deploying({
      wait: { on: 'kubernetes', for: 'kubernetes: watching the rollout (EOF)', since: iso(-30), deadline: iso(590) },
    });
    const b = setup([other], { cluster: { observe: () => okR(progressing) } });
    await reconcile(b.w.d, ID);
    expect(b.row(ID)?.wait?.since).toBe(iso(0));
  });

  it('a transition is saved with its timeline entry, told to GitHub, and what GitHub answered is recorded', async () => {
    const { w, row, enqueued } = setup([deploying()], {
      cluster: { observe: () => okR(rolledOut(pinned(1))) },
      source: { setDeploymentStatus: () => errR(fail('transient', '502')) },
    });
    expect(await reconcile(w.d, ID)).toEqual({ kind: 'stepped', phase: 'verifying', nextInSeconds: 0 });
    const r = row(ID);
    expect(r?.timeline.at(-1)).toMatchObject({
      from: 'deploying',
      to: 'verifying',
      reason: 'rollout complete (revision 3, 2/2 available)',
    });
    expect(r?.wait).toBeUndefined();
    expect(r?.progress).toMatchObject({ rolloutCompleteAt: iso(0), notifyPending: [], notifyAttempts: 1, githubDeploymentId: 77 });
    expect(r?.outcome.links).toEqual({});
    expect(w.callsTo('source')).toEqual(['setDeploymentStatus']);
    expect(enqueued).toHaveLength(1);
  });

  it('manifest releases take their own steps from the table', async () => {
    const manifest = aRelease({ app: 'k8s', kind: 'manifest', image: undefined, manifestCommit: COMMIT, phase: 'deploying' });
    const { w } = setup([manifest], { source: { readTree: () => errR(fail('not-found', 'gone')) } });
    expect(await reconcile(w.d, ID)).toEqual({ kind: 'stepped', phase: 'blocked' });
    expect(w.callsTo('source')).toEqual(['readTree']);
  });

  it('a terminal release only resends what is pending, and schedules the next resend', async () => {
    const ended = aRelease({ phase: 'rolled_back', progress: { notifyPending: ['issue'], notifyAttempts: 1 } });
    const { w, row, enqueued } = setup([ended], { source: { ensureIssue: () => errR(fail('transient', '503')) } });
    expect(await reconcile(w.d, ID)).toEqual({ kind: 'terminal' });
    expect(row(ID)?.progress).toEqual({ notifyPending: ['issue'], notifyAttempts: 2, notifySince: iso(0), notifyDueAt: iso(60) });
    expect(enqueued).toEqual([{ item: { releaseId: ID, correlationId: 'evt-1' }, delaySeconds: 60 }]);
    expect([...w.outbox.values()]).toEqual([{ releaseId: ID, correlationId: 'evt-1', since: iso(0), dueAt: iso(60) }]);
  });

  it('skips a tick that arrives before the release is due, unless forced; a missing release is reported', async () => {
    const early = deploying({ nextCheckAt: iso(30) });
    const { w } = setup([early], { cluster: { observe: () => okR(progressing) } });
    expect(await reconcile(w.d, ID)).toEqual({ kind: 'early' });
    expect(w.calls.filter((c) => c.port === 'cluster')).toEqual([]);
    expect(await reconcile(w.d, ID, { force: true })).toMatchObject({ kind: 'stepped' });
    expect(await reconcile(w.d, 'r-none-000000')).toEqual({ kind: 'missing' });
  });

  it('looks again when the release changed underneath, and gives up to the other writer after five tries', async () => {
    const { w } = setup([deploying()], {
      cluster: { observe: () => okR(progressing) },
      store: { save: () => Promise.resolve({ ok: false as const, error: 'conflict' as const }) },
    });
    expect(await reconcile(w.d, ID)).toEqual({ kind: 'contended' });
    expect(w.callsTo('cluster')).toHaveLength(5);
  });

  it('a step that throws fails the tick (the queue retries it), logged with the phase', async () => {
    const errors: unknown[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (_m: string, f?: unknown) => errors.push(f), child: () => logger };
    const { w } = setup([deploying()], { logger, cluster: { observe: () => Promise.reject(new Error('bug')) } });
    await expect(reconcile(w.d, ID)).rejects.toThrow('bug');
    expect(errors).toMatchObject([{ phase: 'deploying' }]);
  });
});
