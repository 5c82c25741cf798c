/**
 * The same cases against the fake and — when GITHUB_CONTRACT_REPO ("owner/name", a scratch
 * repository) and GITHUB_CONTRACT_TOKEN are set — against real GitHub. Only the fake half runs
 * by default. Real runs leave an open issue labelled tailspin-deployer (with one comment) in that repository.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubSourceControl } from '../../../src/services/adapters/github/index.js';
import { startGitHubFake, type GitHubFake } from '../../../src/sandbox/github/server.js';
import type { SourceControl } from '../../../src/services/ports.js';
import { value } from './harness.js';

interface Target {
  gh: SourceControl;
  commit: string;
  stop(): Promise<void>;
}

const real = process.env.GITHUB_CONTRACT_REPO && process.env.GITHUB_CONTRACT_TOKEN;

const targets: [string, boolean, () => Promise<Target>][] = [
  [
    'fake',
    true,
    async () => {
      const fake: GitHubFake = await startGitHubFake({ repository: 'contract/scratch', token: 'contract-token' });
      const commit = randomBytes(20).toString('hex');
      fake.setTree(commit, [{ path: 'k8s/a.yaml', content: 'kind: ConfigMap\n' }]);
      const gh = createGitHubSourceControl({
        repository: 'contract/scratch',
        baseUrl: fake.url,
        auth: { token: 'contract-token' },
        ca: fake.ca,
      });
      return {
        gh,
        commit,
        stop: async () => {
          expect(fake.unexpected).toEqual([]);
          await fake.stop();
        },
      };
    },
  ],
  [
    'github.com',
    Boolean(real),
    () => {
      const gh = createGitHubSourceControl({
        repository: process.env.GITHUB_CONTRACT_REPO!,
        auth: { token: process.env.GITHUB_CONTRACT_TOKEN! },
      });
      // the trees API takes a SHA or a branch name; that ref of the scratch repository must contain k8s/
      return Promise.resolve({ gh, commit: process.env.GITHUB_CONTRACT_REF ?? 'main', stop: () => Promise.resolve() });
    },
  ],
];

for (const [name, enabled, start] of targets) {
  describe.runIf(enabled)(`SourceControl contract: ${name}`, () => {
    let t: Target;
    beforeAll(async () => {
      t = await start();
    });
    afterAll(async () => t.stop());

    it('ensureIssue creates once, then comments', async () => {
      const marker = `contract:${randomBytes(6).toString('hex')}`;
      const first = value(await t.gh.ensureIssue({ marker, title: 'contract test', body: 'first', labels: [] }));
      const second = value(await t.gh.ensureIssue({ marker, title: 'contract test', body: 'second', labels: [] }));
      expect(first.created).toBe(true);
      expect(second).toMatchObject({ created: false, number: first.number });
    });

    it('readTree lists k8s/ files with content', async () => {
      const files = value(await t.gh.readTree(t.commit, 'k8s'));
      expect(files.length).toBeGreaterThan(0);
      expect(files.every((f) => f.path.startsWith('k8s/') && typeof f.content === 'string')).toBe(true);
    });

    it('ping answers with the rate limit', async () => {
      expect(value(await t.gh.ping())).toMatchObject({ limit: expect.any(Number) });
    });
  });
}
