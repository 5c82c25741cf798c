import { describe, expect, it } from 'vitest';
import { createGitHubSourceControl, fetchTrusting, githubAuthFromSettings } from '../../../src/services/adapters/github/index.js';
import { githubSlot, SANDBOX_K8S_COMMIT } from '../../../src/sandbox/github/slot.js';
import { repoRoot } from '../../helpers/fixtures.js';
import { value } from './harness.js';

describe('github sandbox slot', () => {
  it('is skipped when a real token or App is configured', () => {
    expect(githubSlot.realConfigured({})).toBe(false);
    expect(githubSlot.realConfigured({ GITHUB_TOKEN: ' ' })).toBe(false);
    expect(githubSlot.realConfigured({ GITHUB_TOKEN: 'ghp_x' })).toBe(true);
    expect(githubSlot.realConfigured({ GITHUB_APP_ID: '1' })).toBe(true);
  });

  it('returns settings the production adapter works with, serves k8s/ and shows what happened', async () => {
    const svc = await githubSlot.start({ root: repoRoot, env: {} });
    try {
      const s = svc.settings;
      const gh = createGitHubSourceControl({
        repository: 'tailspin/tailspin-toys',
        baseUrl: s.GITHUB_API_URL,
        auth: githubAuthFromSettings(s)!,
        ca: s.GITHUB_CA_PEM,
      });
      const files = value(await gh.readTree(SANDBOX_K8S_COMMIT, 'k8s'));
      expect(files.map((f) => f.path)).toContain('k8s/apps/tailspin-client.yaml');
      // a commit from a recorded push webhook resolves to the same tree in the sandbox
      expect(value(await gh.readTree('f'.repeat(40), 'k8s'))).toEqual(files);
      value(await gh.ensureIssue({ marker: 'm', title: 'Rolled back tailspin-server in dev', body: 'evidence', labels: [] }));
      value(await gh.setCommitStatus(SANDBOX_K8S_COMMIT, 'tailspin/dev', 'failure', 'rolled back'));
      const view = await (await fetchTrusting(s.GITHUB_CA_PEM!)(`${s.GITHUB_API_URL}/_sandbox/issues`)).text();
      expect(view).toContain('#1 [open] Rolled back tailspin-server in dev');
      expect(view).toContain('tailspin/dev: failure — rolled back');
      const knob = await fetchTrusting(s.GITHUB_CA_PEM!)(`${s.GITHUB_API_URL}/_sandbox/knobs`, {
        method: 'POST',
        body: JSON.stringify({ failNext: 1 }),
      });
      expect(knob.status).toBe(200);
      expect(await gh.ping()).toMatchObject({ ok: false, error: { kind: 'transient' } });
    } finally {
      await svc.stop();
    }
  });
});
