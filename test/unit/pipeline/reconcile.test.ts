import { describe, expect, it } from 'vitest';
import { reconcile } from '../../../src/services/pipeline/reconcile.js';
import type { Release } from '../../../src/services/domain/release.js';
import type { WorkItem } from '../../../src/services/ports.js';
import {
  COMMIT,
  aRelease,
  digest,
  errR,
  fail,
  iso,
  memoryHeads,
  memoryStore,
  okR,
  pinned,
  rolledOut,
  world,
  type WorldScript,
} from './world.js';

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
    const manifest = aRelease({ app: 'k8s', kind: 'manifest', image: undefined, manifestCommit: COMMIT, nextCheckAt: iso(0) });
    const { w } = setup([manifest], { source: { readTree: () => errR(fail('not-found', 'gone')) } });
    expect(await reconcile(w.d, ID)).toEqual({ kind: 'stepped', phase: 'blocked' });
    expect(w.callsTo('source')).toEqual(['readTree']);
  });

  it('a manifest release frees the app slots it holds once its end is saved, and an app without a verified digest keeps its pin', async () => {
    const holder = { releaseId: ID, target: COMMIT, kind: 'manifest' as const };
    const heads = memoryHeads({
      'k8s/dev': { active: { releaseId: ID, target: COMMIT } },
      'tailspin-server/dev': { active: holder, lastGood: { releaseId: 'r-good', target: digest(0) } },
      'tailspin-client/dev': { active: holder },
    });
    const verifying = aRelease({
      app: 'k8s',
      kind: 'manifest',
      image: undefined,
      manifestCommit: COMMIT,
      phase: 'verifying',
      nextCheckAt: iso(0),
      progress: {
        manifest: { objects: [], pins: { 'tailspin-server': pinned(0), 'tailspin-client': pinned(6, 'tailspin-client') } },
        smokePassedAt: iso(-400),
        verifyStartedAt: iso(-400),
        verifyUntil: iso(-100),
        githubDeploymentId: 9,
      },
    });
    const mem = memoryStore([verifying], heads);
    const w = world({
      store: mem.store,
      queue: { enqueue: () => Promise.resolve() },
      telemetry: { requests: () => okR({ requests: 500, failures: 0, slow: 0, p95Ms: 120 }) },
      source: { setDeploymentStatus: () => okR(undefined), setCommitStatus: () => okR(undefined) },
    });
    expect(await reconcile(w.d, ID)).toEqual({ kind: 'stepped', phase: 'succeeded' });
    expect(heads.head('k8s/dev')).toMatchObject({ lastGood: { releaseId: ID, target: COMMIT, manifestCommit: COMMIT } });
    expect(heads.head('k8s/dev')?.active).toBeUndefined();
    expect(heads.head('tailspin-server/dev')).toMatchObject({ lastGood: { releaseId: 'r-good', target: digest(0) } });
    expect(heads.head('tailspin-server/dev')?.active).toBeUndefined();
    expect(heads.head('tailspin-client/dev')).toMatchObject({
      lastGood: {
        releaseId: ID,
        target: digest(6),
        image: { registry: 'tailspinacr.azurecr.io', repository: 'tailspin-client', digest: digest(6) },
      },
    });
    expect(heads.head('tailspin-client/dev')?.active).toBeUndefined();
  });

  it('a terminal manifest release seen again frees a slot a crash left held after its end was saved', async () => {
    const heads = memoryHeads({ 'tailspin-server/dev': { active: { releaseId: ID, target: COMMIT, kind: 'manifest' } } });
    const ended = aRelease({ app: 'k8s', kind: 'manifest', image: undefined, manifestCommit: COMMIT, phase: 'rolled_back' });
    const mem = memoryStore([ended], heads);
    const w = world({ store: mem.store });
    expect(await reconcile(w.d, ID)).toEqual({ kind: 'terminal' });
    expect(heads.head('tailspin-server/dev')?.active).toBeUndefined();
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

  it('storage failing while a slot is freed is logged, not thrown: the next release that wants the slot clears it', async () => {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (m: string) => void warnings.push(m), child: () => logger };
    const ended = aRelease({ app: 'k8s', kind: 'manifest', image: undefined, manifestCommit: COMMIT, phase: 'blocked' });
    const mem = memoryStore([ended]);
    const w = world({ logger, store: { ...mem.store, head: () => Promise.reject(new Error('storage down')) } });
    expect(await reconcile(w.d, ID)).toEqual({ kind: 'terminal' });
    expect(warnings).toEqual(Array(2).fill('could not free an app slot; the next release that wants it will'));
  });

  it('a step that throws is counted and looked at again after a pause; five in a row end the release failed, loudly', async () => {
    const errors: unknown[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (_m: string, f?: unknown) => errors.push(f), child: () => logger };
    const { w, row, enqueued } = setup([deploying()], { logger, cluster: { observe: () => Promise.reject(new Error('bug')) } });
    expect(await reconcile(w.d, ID)).toEqual({ kind: 'threw', phase: 'deploying', throws: 1, nextInSeconds: 5 });
    expect(errors).toMatchObject([{ phase: 'deploying', throws: 1 }]);
    expect(row(ID)).toMatchObject({ phase: 'deploying', nextCheckAt: iso(5), progress: { stepThrows: 1 } });
    expect(enqueued.at(-1)).toEqual({ item: { releaseId: ID, correlationId: 'evt-1' }, delaySeconds: 5 });
    for (const [n, after] of [
      [2, 10],
      [3, 20],
      [4, 40],
    ] as const)
      expect(await reconcile(w.d, ID, { force: true })).toEqual({ kind: 'threw', phase: 'deploying', throws: n, nextInSeconds: after });
    const ended = await reconcile(w.d, ID, { force: true });
    expect(ended).toEqual({ kind: 'stepped', phase: 'failed' });
    expect(row(ID)?.timeline.at(-1)).toMatchObject({
      from: 'deploying',
      to: 'failed',
      reason: 'the deploying step failed 5 times in a row with an unexpected error, so the release was stopped: bug',
    });
    expect(row(ID)?.progress.stepThrows).toBeUndefined();
  });

  it('a step that stops throwing starts the count again', async () => {
    const r = deploying({ progress: { deployIntent: { image: pinned(1) }, imageSetAt: iso(-10), stepThrows: 3 } });
    const { w, row } = setup([r], { cluster: { observe: () => okR(progressing) } });
    expect(await reconcile(w.d, ID)).toMatchObject({ kind: 'stepped', phase: 'deploying' });
    expect(row(ID)?.progress.stepThrows).toBeUndefined();
  });
});
