import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { githubSpec } from '../../../src/sandbox/github/spec.js';
import { repoRoot } from '../../helpers/fixtures.js';
import { COMMIT, fakeAndAdapter, value } from './harness.js';

describe('readTree', () => {
  it("returns the repository's own k8s/ files at a commit, byte for byte", async () => {
    const { fake, gh } = await fakeAndAdapter();
    const seeded = fake.seedTreeFromDir(COMMIT, join(repoRoot, 'k8s'), 'k8s');
    const files = value(await gh.readTree(COMMIT, 'k8s/'));
    expect(files).toHaveLength(seeded);
    expect(files.map((f) => f.path)).toContain('k8s/apps/tailspin-server.yaml');
    for (const f of files) expect(f.content).toBe(readFileSync(join(repoRoot, f.path), 'utf8'));
  });

  it('keeps only files under the path, and answers not-found for an unknown commit', async () => {
    const { fake, gh } = await fakeAndAdapter();
    fake.setTree(COMMIT, [
      { path: 'k8s/a.yaml', content: 'a: 1\n' },
      { path: 'k8s/nested/b.yaml', content: 'b: ünï\n' },
      { path: 'k8s-other/c.yaml', content: 'c' },
      { path: 'server/app.py', content: 'print()' },
    ]);
    expect(value(await gh.readTree(COMMIT, 'k8s'))).toEqual([
      { path: 'k8s/a.yaml', content: 'a: 1\n' },
      { path: 'k8s/nested/b.yaml', content: 'b: ünï\n' },
    ]);
    expect(await gh.readTree('b'.repeat(40), 'k8s')).toMatchObject({ ok: false, error: { kind: 'not-found' } });
  });

  it('refuses folders beyond the file-count and size caps (before fetching blobs)', async () => {
    const { fake, gh } = await fakeAndAdapter({}, { treeLimits: { maxFiles: 2, maxFileBytes: 10 } });
    fake.setTree(COMMIT, [
      { path: 'k8s/a', content: '1' },
      { path: 'k8s/b', content: '2' },
      { path: 'k8s/c', content: '3' },
    ]);
    expect(await gh.readTree(COMMIT, 'k8s')).toMatchObject({
      ok: false,
      error: { kind: 'invalid', message: expect.stringContaining('limit of 2') },
    });
    fake.setTree(COMMIT, [{ path: 'k8s/big', content: 'x'.repeat(11) }]);
    expect(await gh.readTree(COMMIT, 'k8s')).toMatchObject({
      ok: false,
      error: { kind: 'invalid', message: expect.stringContaining('exceeds 10 bytes') },
    });
    expect(fake.calls.filter((c) => c.operationId === 'git/get-blob')).toEqual([]);
  });

  it("serves trees and blobs that validate against GitHub's response schemas", async () => {
    const { fake } = await fakeAndAdapter();
    fake.setTree(COMMIT, [{ path: 'k8s/a.yaml', content: 'a' }]);
    const { fetchTrusting } = await import('../../../src/services/adapters/github/index.js');
    const get = async (p: string) =>
      (await fetchTrusting(fake.ca)(`${fake.url}${p}`, { headers: { authorization: 'token test-token-0123456789' } })).json();
    const { api } = await githubSpec();
    const tree = (await get(`/repos/tailspin/tailspin-toys/git/trees/${COMMIT}?recursive=1`)) as { tree: { sha: string; type: string }[] };
    expect(api.validateResponse(tree, 'git/get-tree', 200).errors ?? []).toEqual([]);
    const blobSha = tree.tree.find((e) => e.type === 'blob')!.sha;
    expect(blobSha).toBe('2e65efe2a145dda7ee51d1741299f848e5bf752e'); // git hash-object of "a"
    expect(api.validateResponse(await get(`/repos/tailspin/tailspin-toys/git/blobs/${blobSha}`), 'git/get-blob', 200).errors ?? []).toEqual(
      [],
    );
  });
});
