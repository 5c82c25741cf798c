/**
 * Where a commit stands against the deploy branch: the production adapter over HTTPS against the
 * fake's commit graph, every request and answer checked against GitHub's description.
 */
import { describe, expect, it } from 'vitest';
import { fakeAndAdapter, value } from './harness.js';

const sha = (n: number): string => n.toString(16).padStart(40, '0');

/** main: 1 → 2 → 3 → 4 (tip); feature: 2 → 10 → 11; a merge of 11 and 4 on main would be 5. */
async function repo() {
  const { fake, gh } = await fakeAndAdapter();
  fake.graph.commit([sha(1), sha(2), sha(3), sha(4)], { branch: 'main' });
  fake.graph.commit([sha(10), sha(11)], { parent: sha(2), branch: 'feature' });
  return { fake, gh };
}

describe('compareCommits (GET /repos/{o}/{r}/compare/{base}...{head})', () => {
  it('an older commit of main is behind main: in its history', async () => {
    const { gh, fake } = await repo();
    expect(value(await gh.compareCommits('main', sha(2)))).toEqual({ status: 'behind', aheadBy: 0, behindBy: 2 });
    expect(value(await gh.compareCommits('main', sha(4)))).toEqual({ status: 'identical', aheadBy: 0, behindBy: 0 });
    expect(fake.calls.map((c) => c.operationId)).toEqual(['repos/compare-commits-with-basehead', 'repos/compare-commits-with-basehead']);
  });

  it('a commit only on a feature branch has diverged from main: not in its history', async () => {
    const { gh } = await repo();
    expect(value(await gh.compareCommits('main', sha(11)))).toEqual({ status: 'diverged', aheadBy: 2, behindBy: 2 });
  });

  it('a commit ahead of main (main is in its history, it is not in main’s) is ahead', async () => {
    const { gh, fake } = await repo();
    fake.graph.commit([sha(5)], { parent: sha(4), branch: 'next' });
    expect(value(await gh.compareCommits('main', sha(5)))).toEqual({ status: 'ahead', aheadBy: 1, behindBy: 0 });
  });

  it('once merged, the feature commit is in main’s history', async () => {
    const { gh, fake } = await repo();
    fake.graph.merge(sha(6), [sha(4), sha(11)], 'main');
    expect(value(await gh.compareCommits('main', sha(11)))).toMatchObject({ status: 'behind', aheadBy: 0 });
  });

  it('an unknown commit is not-found; GitHub down is transient', async () => {
    const { gh, fake } = await repo();
    expect(await gh.compareCommits('main', sha(99))).toMatchObject({ ok: false, error: { kind: 'not-found' } });
    fake.outage(true);
    expect(await gh.compareCommits('main', sha(2))).toMatchObject({ ok: false, error: { kind: 'transient', status: 503 } });
  });
});
