/**
 * Issue 14, item 5: the notices of an ended release (issue, failure status, Deployment status) are
 * sent until GitHub takes them — with backoff, across restarts, up to NOTIFY_DEADLINE_HOURS — not
 * six tries and silence. Driven through reconcile and the sweeper with a clock the test moves.
 */
import { describe, expect, it } from 'vitest';
import { reconcile } from '../../../src/services/pipeline/reconcile.js';
import { sweep } from '../../../src/services/pipeline/sweeper.js';
import { resendDelaySeconds } from '../../../src/services/pipeline/notify.js';
import type { Release } from '../../../src/services/domain/release.js';
import type { Logger, SourceControl, WorkItem } from '../../../src/services/ports.js';
import { SETTINGS, T0, aRelease, at, errR, fail, iso, memoryStore, okR, pinned, rolledOut, world } from './world.js';

const ID = 'r-test-000001';
const ISSUE = 'https://github.example/tailspin/tailspin-toys/issues/9';
const HOUR = 3600;

/** A rollback whose rollout has just completed: the next tick ends the release `rolled_back`. */
const rollingBack = (): Release =>
  aRelease({
    phase: 'rolling_back',
    nextCheckAt: iso(0),
    outcome: { failure: { reason: 'telemetry breach', at: iso(-60) } },
    progress: {
      githubDeploymentId: 77,
      rollbackIntent: { mode: 'image', image: pinned(0), toReleaseId: 'r-good', startedAt: iso(-30) },
      rollbackSetAt: iso(-20),
    },
  });

/** GitHub that answers 503 to everything until `downUntil` seconds after T0, and counts what it was sent. */
function github(clock: { t: Date }, downUntil: number) {
  const delivered: string[] = [];
  let tries = 0;
  const answer = <T>(what: string, value: T) => {
    tries++;
    if (clock.t < at(downUntil)) return errR(fail('transient', 'GitHub 503'));
    delivered.push(what);
    return okR(value);
  };
  const source: Partial<SourceControl> = {
    setCommitStatus: (_c, _ctx, state) => answer(`status:${state}`, undefined),
    setDeploymentStatus: (_id, state) => answer(`deployment:${state}`, undefined),
    ensureIssue: () => answer('issue', { url: ISSUE, number: 9, created: true }),
  };
  return { source, delivered, tries: () => tries };
}

function setup(downUntil: number, logger?: Logger) {
  const clock = { t: T0 };
  const gh = github(clock, downUntil);
  const mem = memoryStore([rollingBack()]);
  const enqueued: { item: WorkItem; delaySeconds?: number }[] = [];
  const w = world({
    clock: { now: () => clock.t },
    store: mem.store,
    source: gh.source,
    cluster: { observe: () => okR(rolledOut(pinned(0))) },
    heads: { 'tailspin-server/dev': { active: { releaseId: ID, target: aRelease().image!.digest } } },
    queue: {
      enqueue: (item, opts) => {
        enqueued.push({ item, ...(opts?.delaySeconds !== undefined ? { delaySeconds: opts.delaySeconds } : {}) });
        return Promise.resolve();
      },
    },
    ...(logger ? { logger } : {}),
  });
  /** Move the clock to when the pending notices are due and run the tick their queue message brings. */
  const nextTick = async () => {
    const due = mem.row(ID)?.progress.notifyDueAt;
    if (!due) throw new Error('nothing scheduled');
    clock.t = new Date(due);
    return reconcile(w.d, ID);
  };
  return { clock, gh, mem, w, enqueued, nextTick };
}

describe('notifications until delivered', () => {
  it('GitHub down for 8 minutes during a rollback: the issue, the failure status and the Deployment still arrive', async () => {
    const s = setup(8 * 60);
    expect(await reconcile(s.w.d, ID)).toEqual({ kind: 'stepped', phase: 'rolled_back' });
    expect(s.mem.row(ID)?.progress).toMatchObject({
      notifyPending: ['commit-status', 'deployment', 'issue'],
      notifyAttempts: 1,
      notifySince: iso(0),
      notifyDueAt: iso(30),
    });
    expect(s.w.outbox.get(ID)).toEqual({ releaseId: ID, correlationId: 'evt-1', since: iso(0), dueAt: iso(30) });
    const tries: string[] = [];
    while (s.mem.row(ID)?.progress.notifyPending?.length) {
      await s.nextTick();
      tries.push(s.clock.t.toISOString());
    }
    // 30 s, then doubling: 60, 120, 240, 480 — the sixth try comes after the outage, not a give-up.
    expect(tries).toEqual([iso(30), iso(90), iso(210), iso(450), iso(930)]);
    expect(s.gh.delivered).toEqual(['status:failure', 'deployment:failure', 'issue']);
    expect(s.mem.row(ID)?.outcome.links).toEqual({ issue: ISSUE });
    expect(s.w.outbox.size).toBe(0);
  });

  it('a three-hour outage: tries keep coming every 15 minutes at most, and everything is delivered when GitHub is back', async () => {
    const s = setup(3 * HOUR);
    await reconcile(s.w.d, ID);
    let ticks = 0;
    while (s.mem.row(ID)?.progress.notifyPending?.length) {
      const before = s.clock.t.getTime();
      await s.nextTick();
      expect(s.clock.t.getTime() - before).toBeLessThanOrEqual(SETTINGS.notifyRetryMaxSeconds * 1000);
      ticks++;
    }
    expect(ticks).toBeGreaterThan(6);
    expect(s.clock.t.getTime() - T0.getTime()).toBeLessThanOrEqual((3 * HOUR + SETTINGS.notifyRetryMaxSeconds) * 1000);
    expect(s.gh.delivered).toEqual(['status:failure', 'deployment:failure', 'issue']);
  });

  it('GitHub never comes back: the last try is at the deadline, then the release records what was never told, loudly', async () => {
    const errors: { message: string; fields?: unknown }[] = [];
    const logger: Logger = {
      debug() {},
      info() {},
      warn() {},
      error: (message, fields) => errors.push({ message, fields }),
      child: () => logger,
    };
    const s = setup(10 * 24 * HOUR, logger);
    await reconcile(s.w.d, ID);
    while (s.mem.row(ID)?.progress.notifyPending?.length) await s.nextTick();
    expect(s.clock.t).toEqual(at(24 * HOUR));
    expect(s.mem.row(ID)?.outcome.notifyAbandoned).toEqual({
      notices: ['commit-status', 'deployment', 'issue'],
      at: iso(24 * HOUR),
      error: 'issue: GitHub 503',
    });
    expect(s.w.outbox.size).toBe(0);
    expect(errors.map((e) => e.message)).toEqual([
      'notifications abandoned: GitHub did not take them before the deadline; nobody there was told',
    ]);
    expect(s.gh.delivered).toEqual([]);
  });

  it('a worker that dies right after the release ended: the next tick sends every notice (they were saved as owed with the ending)', async () => {
    const s = setup(0);
    const dying = world({
      clock: { now: () => s.clock.t },
      store: s.mem.store,
      cluster: { observe: () => okR(rolledOut(pinned(0))) },
      heads: { 'tailspin-server/dev': { active: { releaseId: ID, target: aRelease().image!.digest } } },
      outbox: { put: () => Promise.reject(new Error('worker killed')) },
    });
    await expect(reconcile(dying.d, ID)).rejects.toThrow('worker killed');
    expect(s.mem.row(ID)).toMatchObject({ phase: 'rolled_back', progress: { notifyPending: ['commit-status', 'deployment', 'issue'] } });
    // The queue hands the message to another worker; before the grace it leaves the notices alone…
    expect(await reconcile(s.w.d, ID)).toEqual({ kind: 'terminal' });
    expect(s.gh.tries()).toBe(0);
    // …after it, it sends them all.
    s.clock.t = at(61);
    expect(await reconcile(s.w.d, ID)).toEqual({ kind: 'terminal' });
    expect(s.gh.delivered).toEqual(['status:failure', 'deployment:failure', 'issue']);
    expect(s.mem.row(ID)?.progress.notifyPending).toEqual([]);
  });

  it('after a restart the sweeper re-drives what is due from the outbox (not what is not due yet)', async () => {
    const s = setup(8 * 60);
    await reconcile(s.w.d, ID);
    s.w.outbox.set('r-later-000002', { releaseId: 'r-later-000002', correlationId: 'c-2', since: iso(0), dueAt: iso(3600) });
    s.enqueued.length = 0;
    s.clock.t = at(30 + 59);
    expect(await sweep({ ...s.w.d, store: { ...s.w.d.store, overdue: () => Promise.resolve([]) } })).toBe(0);
    s.clock.t = at(30 + 60);
    expect(await sweep({ ...s.w.d, store: { ...s.w.d.store, overdue: () => Promise.resolve([]) } })).toBe(1);
    expect(s.enqueued).toEqual([{ item: { releaseId: ID, correlationId: 'evt-1' } }]);
  });

  it('a tick before the notices are due (a duplicate message) sends nothing; a missing release leaves no outbox entry behind', async () => {
    const s = setup(8 * 60);
    await reconcile(s.w.d, ID);
    const tries = s.gh.tries();
    s.clock.t = at(10);
    expect(await reconcile(s.w.d, ID)).toEqual({ kind: 'terminal' });
    expect(s.gh.tries()).toBe(tries);
    s.w.outbox.set('r-gone-000003', { releaseId: 'r-gone-000003', correlationId: 'c', since: iso(0), dueAt: iso(0) });
    expect(await reconcile(s.w.d, 'r-gone-000003')).toEqual({ kind: 'missing' });
    expect(s.w.outbox.has('r-gone-000003')).toBe(false);
  });
});

describe('resendDelaySeconds', () => {
  const s = { ...SETTINGS, notifyRetrySeconds: 30, notifyRetryMaxSeconds: 900 };
  it.each([
    [1, undefined, 30],
    [2, undefined, 60],
    [5, undefined, 480],
    [6, undefined, 900],
    [50, undefined, 900],
    [1, 120_000, 120],
  ])('after try %i (Retry-After %s ms) → %i s', (attempt, retryAfter, expected) => {
    expect(resendDelaySeconds(s, attempt, retryAfter, 86_400_000)).toBe(expected);
  });
  it('never past the deadline, never less than a second', () => {
    expect(resendDelaySeconds(s, 6, undefined, 200_000)).toBe(200);
    expect(resendDelaySeconds(s, 6, undefined, 0)).toBe(1);
  });
});
