/**
 * The GitHub fake's POST /_sandbox/commits knob, read back through the production adapter: what a
 * person puts at a commit is exactly what the deployer reads.
 */
import { describe, expect, it } from 'vitest';
import { COMMIT, fakeAndAdapter, value } from './harness.js';

const OTHER = 'b'.repeat(40);

describe('files at a commit (sandbox knob)', () => {
  it('changes files on the served tree and serves the result for every unknown commit', async () => {
    const { fake, gh } = await fakeAndAdapter();
    fake.setTree(COMMIT, [
      { path: 'k8s/apps/a.yaml', content: 'a: 1\n' },
      { path: 'k8s/apps/b.yaml', content: 'b: 1\n' },
    ]);
    fake.serveAnyCommitAs(COMMIT);
    const put = fake.putFiles({ files: { 'k8s/apps/b.yaml': null, 'k8s/apps/c.yaml': 'c: 2\n' } });
    expect(put).toMatchObject({ commit: expect.stringMatching(/^[0-9a-f]{40}$/), files: 2, servedForUnknownCommits: true });
    const expected = [
      { path: 'k8s/apps/a.yaml', content: 'a: 1\n' },
      { path: 'k8s/apps/c.yaml', content: 'c: 2\n' },
    ];
    expect(value(await gh.readTree('error' in put ? '' : put.commit, 'k8s/apps/'))).toEqual(expected);
    expect(value(await gh.readTree('9'.repeat(40), 'k8s/apps/'))).toEqual(expected);
    // The base commit itself is untouched.
    expect(value(await gh.readTree(COMMIT, 'k8s/apps/'))).toHaveLength(2);
  });

  it('a named commit gets the files without changing what unknown commits are served', async () => {
    const { fake, gh } = await fakeAndAdapter();
    fake.setTree(COMMIT, [{ path: 'k8s/apps/a.yaml', content: 'a: 1\n' }]);
    fake.serveAnyCommitAs(COMMIT);
    expect(fake.putFiles({ commit: OTHER, files: { 'k8s/apps/z.yaml': 'z: 1\n' } })).toEqual({
      commit: OTHER,
      files: 2,
      servedForUnknownCommits: false,
    });
    expect(value(await gh.readTree(OTHER, 'k8s/apps/')).map((f) => f.path)).toEqual(['k8s/apps/a.yaml', 'k8s/apps/z.yaml']);
    expect(value(await gh.readTree('9'.repeat(40), 'k8s/apps/')).map((f) => f.path)).toEqual(['k8s/apps/a.yaml']);
  });

  it('an unknown base commit is refused', async () => {
    const { fake } = await fakeAndAdapter();
    expect(fake.putFiles({ base: OTHER, files: {} })).toEqual({ error: `base commit ${OTHER} is not known to the sandbox` });
  });
});
