/**
 * A pushed git tag vX.Y.Z versions an image only when its commit is in the deploy branch's history
 * (issue #15 review): the door sees base_ref only for a tag at a branch tip, so the version release's
 * first step asks GitHub's compare — behind the queue, waiting while GitHub is down.
 */
import { describe, expect, it } from 'vitest';
import { versionOnBranch } from '../../../../src/services/pipeline/steps/version.js';
import type { CommitComparison } from '../../../../src/services/ports.js';
import { aRelease, at, COMMIT, ctx, digest, errR, fail, iso, okR, world } from '../world.js';

const version = (over = {}) =>
  aRelease({ kind: 'version', version: 'v1.2.3', image: undefined, source: { door: 'github', eventId: 'd-1' }, ...over });
const compared =
  (status: CommitComparison['status'], aheadBy = 0, behindBy = 0) =>
  () =>
    okR({ status, aheadBy, behindBy });

describe('version releases: is the tag on the deploy branch?', () => {
  it.each(['behind', 'identical'] as const)('%s: in main’s history, so the commit’s image is looked up', async (status) => {
    const w = world({ source: { compareCommits: compared(status, 0, 3) }, builder: { resolveTag: () => okR(digest(1)) } });
    const d = await versionOnBranch(ctx(version(), w));
    expect(d).toMatchObject({ kind: 'advance', to: 'scanning', progress: { onDeployBranchAt: iso(0) } });
    expect(w.calls.find((c) => c.method === 'compareCommits')?.args).toEqual(['main', COMMIT]);
  });

  it.each([
    ['diverged', 2, /GitHub compare main\.\.\.c0ffee0: diverged, 2 commits not on main/],
    ['ahead', 1, /GitHub compare main\.\.\.c0ffee0: ahead, 1 commit not on main/],
  ] as const)('%s: not in main’s history, ignored with the reason; the registry is not asked', async (status, ahead, reason) => {
    const w = world({ source: { compareCommits: compared(status, ahead, 4) } });
    const d = await versionOnBranch(ctx(version(), w));
    expect(d).toMatchObject({
      kind: 'advance',
      to: 'blocked',
      reason: expect.stringMatching(/^ignored: tag v1\.2\.3 points at c0ffee0, which is not in main's history/),
    });
    expect(d.kind === 'advance' && d.reason).toMatch(reason);
    expect(d.kind === 'advance' && d.head).toBeUndefined();
    expect(w.callsTo('builder')).toEqual([]);
  });

  it('a commit GitHub does not know is ignored with the reason', async () => {
    const w = world({ source: { compareCommits: () => errR(fail('not-found', 'No commit found for SHA')) } });
    expect(await versionOnBranch(ctx(version(), w))).toMatchObject({
      to: 'blocked',
      reason: expect.stringMatching(/does not know/),
    });
  });

  it('GitHub down: waited for (backing off), then the check passes and the release goes on', async () => {
    let up = false;
    const w = world({
      source: { compareCommits: () => (up ? compared('behind', 0, 1)() : errR(fail('transient', 'GitHub 502', { status: 502 }))) },
      builder: { resolveTag: () => okR(digest(1)) },
    });
    const first = await versionOnBranch(ctx(version(), w, at(0)));
    expect(first).toMatchObject({ kind: 'wait', on: 'source', for: "github: is c0ffee0 in main's history", afterSeconds: 5 });
    const waiting = version({ wait: { on: 'source', for: 'x', since: iso(0), deadline: iso(3000) } });
    expect(await versionOnBranch(ctx(waiting, w, at(100)))).toMatchObject({ kind: 'wait', on: 'source', afterSeconds: 50 });
    up = true;
    expect(await versionOnBranch(ctx(waiting, w, at(200)))).toMatchObject({ kind: 'advance', to: 'scanning' });
  });

  it('GitHub down past the deadline: failed with the reason, never versioned', async () => {
    const w = world({ source: { compareCommits: () => errR(fail('transient', 'GitHub 503')) } });
    const waiting = version({ wait: { on: 'source', for: 'x', since: iso(0), deadline: iso(3000) } });
    expect(await versionOnBranch(ctx(waiting, w, at(3000)))).toMatchObject({
      to: 'failed',
      reason: expect.stringMatching(
        /^could not tell whether c0ffee0 is in main's history, so v1\.2\.3 was not given: GitHub 503 \(transient: still failing after 3000 s\)$/,
      ),
    });
  });

  it('checked once: a later look (the registry waited for) does not ask GitHub again', async () => {
    const w = world({ builder: { resolveTag: () => errR(fail('transient', 'registry 503')) } });
    const checked = version({ progress: { onDeployBranchAt: iso(0) } });
    expect(await versionOnBranch(ctx(checked, w, at(10)))).toMatchObject({ kind: 'wait', on: 'registry' });
    expect(w.callsTo('source')).toEqual([]);
  });
});
