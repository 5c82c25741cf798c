import { describe, expect, it } from 'vitest';
import { notifyTransition, retryNotifications } from '../../../src/services/pipeline/notify.js';
import type { Phase, Release } from '../../../src/services/domain/release.js';
import type { SourceControl } from '../../../src/services/ports.js';
import { COMMIT, aRelease, aScanRecord, digest, errR, fail, iso, okR, world } from './world.js';

const ID = 'r-test-000001';
const URL = `https://deployer.example/api/deployments/${ID}`;
const ISSUE = 'https://github.example/tailspin/tailspin-toys/issues/9';

/** The release just after a transition to `to`, with that transition's reason last in its timeline. */
const after = (to: Phase, from: Phase, reason: string, over: Partial<Release> = {}): Release => {
  const r = aRelease({ phase: to, ...over });
  return { ...r, timeline: [...r.timeline, { at: iso(1), from, to, reason, correlationId: r.correlationId }] };
};
const github = (s: Partial<SourceControl> = {}) =>
  world({
    source: {
      setCommitStatus: () => okR(undefined),
      setDeploymentStatus: () => okR(undefined),
      createDeployment: () => okR({ id: 77 }),
      ensureIssue: () => okR({ url: ISSUE, number: 9, created: true }),
      ...s,
    },
  });

describe('notifyTransition', () => {
  it('scanning: a pending scan status on the commit, nothing to record', async () => {
    const w = github();
    expect(await notifyTransition(w.d, after('scanning', 'queued', 'scan started'), 'queued', w.d.logger)).toBeUndefined();
    expect(w.calls.map((c) => [c.method, ...c.args])).toEqual([
      ['setCommitStatus', COMMIT, 'tailspin-deployer/scan', 'pending', `scanning ${digest(1)}`, URL],
    ]);
  });

  it('deploying after the scan: scan success, a pending deploy status, and a new GitHub deployment it records', async () => {
    const w = github();
    const r = after('deploying', 'scanning', 'scan gate: passed');
    expect(await notifyTransition(w.d, r, 'scanning', w.d.logger)).toEqual({
      progress: { githubDeploymentId: 77, notifyPending: [], notifyAttempts: 0 },
      links: {},
    });
    expect(w.calls.map((c) => [c.method, ...c.args])).toEqual([
      ['setCommitStatus', COMMIT, 'tailspin-deployer/scan', 'success', 'scan gate: passed', URL],
      [
        'createDeployment',
        {
          ref: COMMIT,
          environment: 'dev',
          description: `tailspin-server ${digest(1)}`,
          payload: { releaseId: ID, app: 'tailspin-server', digest: digest(1) },
        },
      ],
      ['setDeploymentStatus', 77, 'in_progress', 'scan gate: passed', undefined, URL],
    ]);
  });

  it('rolled_back: failure statuses and an issue whose link is recorded', async () => {
    const w = github();
    const r = after('rolled_back', 'rolling_back', 'rolled back because smoke failed', { progress: { githubDeploymentId: 77 } });
    expect(await notifyTransition(w.d, r, 'rolling_back', w.d.logger)).toEqual({
      progress: { notifyPending: [], notifyAttempts: 0 },
      links: { issue: ISSUE },
    });
    expect(w.calls.map((c) => c.method)).toEqual(['setCommitStatus', 'setDeploymentStatus', 'ensureIssue']);
    expect(w.calls[0]?.args.slice(1, 3)).toEqual(['tailspin-deployer/deploy-dev', 'failure']);
    expect(w.calls[2]?.args[0]).toMatchObject({ marker: `tailspin-deployer:rollback:tailspin-server:dev:${digest(1)}` });
  });

  it('an image blocked by the scan gate from ACR (no commit) still opens an issue', async () => {
    const w = github();
    const scan = aScanRecord({ outcome: 'blocked' });
    const r = after('blocked', 'scanning', 'scan gate: blocked: 1 CRITICAL', { commit: undefined, outcome: { scan } });
    expect(await notifyTransition(w.d, r, 'scanning', w.d.logger)).toMatchObject({ links: { issue: ISSUE } });
    expect(w.calls.map((c) => c.method)).toEqual(['ensureIssue']);
  });

  it('a succeeded release updates what exists and has nothing new to record', async () => {
    const w = github();
    const r = after('succeeded', 'verifying', 'verified', { progress: { githubDeploymentId: 77 } });
    expect(await notifyTransition(w.d, r, 'verifying', w.d.logger)).toBeUndefined();
    expect(w.calls.map((c) => [c.method, c.args[1]])).toEqual([
      ['setCommitStatus', 'tailspin-deployer/deploy-dev'],
      ['setDeploymentStatus', 'success'],
    ]);
  });

  it('a superseded release that never deployed tells nobody; a build release reports on its build context', async () => {
    const w = github();
    expect(await notifyTransition(w.d, after('superseded', 'queued', 'superseded by r-2'), 'queued', w.d.logger)).toBeUndefined();
    expect(w.calls).toEqual([]);
    const build = after('building', 'queued', 'ACR build cb1 started', { kind: 'build', image: undefined });
    await notifyTransition(w.d, build, 'queued', w.d.logger);
    expect(w.calls.map((c) => [c.method, ...c.args])).toEqual([
      ['setCommitStatus', COMMIT, 'tailspin-deployer/build', 'pending', 'ACR build cb1 started', URL],
    ]);
  });

  it('a terminal release whose notices fail transiently records them and asks to resend after Retry-After', async () => {
    const w = github({
      setCommitStatus: () => errR(fail('rate-limited', 'secondary rate limit', { retryAfterMs: 61_000 })),
      ensureIssue: () => Promise.reject(new Error('socket hang up')),
    });
    const r = after('failed', 'rolling_back', 'ROLLBACK FAILED', { progress: { githubDeploymentId: 77 } });
    expect(await notifyTransition(w.d, r, 'rolling_back', w.d.logger)).toEqual({
      progress: { notifyPending: ['commit-status', 'issue'], notifyAttempts: 1, notifySince: iso(0), notifyDueAt: iso(61) },
      links: {},
      resendInSeconds: 61,
    });
  });

  it('an active release does not keep failed notices (its next transition notifies), and errors that will not heal are dropped', async () => {
    const w = github({ setCommitStatus: () => errR(fail('transient', '502')), createDeployment: () => errR(fail('invalid', '422')) });
    expect(await notifyTransition(w.d, after('deploying', 'queued', 'manual'), 'queued', w.d.logger)).toEqual({
      progress: { notifyPending: [], notifyAttempts: 1 },
      links: {},
    });
  });
});

describe('retryNotifications', () => {
  const pendingIssue = (attempts: number) =>
    after('rolled_back', 'rolling_back', 'rolled back', { progress: { notifyPending: ['issue'], notifyAttempts: attempts } });

  it('has nothing to do without pending notices', async () => {
    const w = github();
    expect(await retryNotifications(w.d, after('succeeded', 'verifying', 'ok'), w.d.logger)).toBeUndefined();
    expect(w.calls).toEqual([]);
  });

  it('sends only the pending notices again and records the result', async () => {
    const w = github();
    expect(await retryNotifications(w.d, pendingIssue(1), w.d.logger)).toEqual({
      progress: { notifyPending: [], notifyAttempts: 2 },
      links: { issue: ISSUE },
    });
    expect(w.calls.map((c) => c.method)).toEqual(['ensureIssue']);
  });

  it('backs off with each attempt (doubling, capped), and keeps going long past six tries', async () => {
    const w = github({ ensureIssue: () => errR(fail('transient', '503')) });
    expect(await retryNotifications(w.d, pendingIssue(2), w.d.logger)).toEqual({
      progress: { notifyPending: ['issue'], notifyAttempts: 3, notifySince: iso(1), notifyDueAt: iso(120) },
      links: {},
      resendInSeconds: 120,
    });
    expect(await retryNotifications(w.d, pendingIssue(5), w.d.logger)).toMatchObject({
      progress: { notifyPending: ['issue'], notifyAttempts: 6 },
      resendInSeconds: 900,
    });
    expect(await retryNotifications(w.d, pendingIssue(40), w.d.logger)).toMatchObject({ resendInSeconds: 900 });
  });
});
