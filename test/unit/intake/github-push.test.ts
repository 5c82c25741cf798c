import { describe, expect, it } from 'vitest';
import { planPush } from '../../../src/services/intake/github-push.js';
import { PushEvent } from '../../../src/services/intake/github-schema.js';
import { defaultCatalog } from '../../../src/services/domain/catalog.js';
import { sharedJson } from '../../helpers/fixtures.js';

type Raw = {
  repository: { full_name: string };
  commits?: { added: string[]; modified: string[]; removed: string[] }[];
  head_commit?: unknown;
};
const plan = (file: string, branch = 'master', mutate?: (p: Raw) => void) => {
  const raw = sharedJson<Raw>('github', file);
  mutate?.(raw);
  return planPush(PushEvent.parse(raw), defaultCatalog(raw.repository.full_name, branch, ['dev']));
};

describe("planPush on real push payloads (catalog pointed at each payload's repository)", () => {
  it.each([
    ['octokit-webhooks__push_payload.json', 'tag push (refs/tags/simple-tag) is not deployed; releases follow master'],
    ['octokit-webhooks__push_with-installation.payload.json', 'tag push (refs/tags/simple-tag) is not deployed; releases follow master'],
    ['octokit-webhooks__push_with-organization.payload.json', 'tag push (refs/tags/simple-tag) is not deployed; releases follow master'],
    ['octokit-webhooks__push_with-new-branch.payload.json', 'branch master was created; the next push to it deploys'],
    ['octokit-webhooks__push_with-no-username-committer.payload.json', 'branch master was created; the next push to it deploys'],
    ['go-scm__push.json', 'no change under server/, client/, k8s/apps/'],
    ['go-scm__push_branch_create.json', 'push to feature-branch; only master deploys'],
    ['go-scm__push_branch_delete.json', 'branch feature-branch was deleted'],
    ['go-scm__push_tag.json', 'tag push (refs/tags/v0.0.1) is not deployed; releases follow master'],
    ['argo-cd__github-tag-event.json', 'tag push (refs/tags/v1.0) is not deployed; releases follow master'],
    ['go-playground-webhooks__push.json', 'no change under server/, client/, k8s/apps/'],
    ['jenkins-github-plugin__push.json', 'no change under server/, client/, k8s/apps/'],
  ])('%s → ignored: %s', (file, reason) => {
    expect(plan(file)).toEqual({ kind: 'ignored', reason });
  });

  it('a push from another repository is ignored with both names', () => {
    const raw = sharedJson<Raw>('github', 'go-scm__push.json');
    expect(planPush(PushEvent.parse(raw), defaultCatalog('tailspin/tailspin-toys', 'main', ['dev']))).toEqual({
      kind: 'ignored',
      reason: 'repository Codertocat/Hello-World is not deployed here (configured: tailspin/tailspin-toys)',
    });
  });

  it('changes under server/ and k8s/ request a server build and a manifest release at the head commit', () => {
    const p = plan('go-scm__push.json', 'master', (raw) => {
      raw.commits = [{ added: ['server/app.py'], modified: ['k8s/apps/tailspin-server.yaml'], removed: [] }].map((c, i) => ({
        ...(raw.commits?.[i] ?? {}),
        ...c,
      }));
    });
    expect(p).toMatchObject({
      kind: 'work',
      builds: ['tailspin-server'],
      manifests: true,
      commit: '199eddf46df50de8d02e99bf1c5fdb4101338224',
    });
  });

  it('a forced push is acknowledged, not deployed', () => {
    const raw = sharedJson<Raw & { forced: boolean }>('github', 'go-scm__push.json');
    raw.forced = true;
    expect(planPush(PushEvent.parse(raw), defaultCatalog(raw.repository.full_name, 'master', ['dev']))).toMatchObject({
      kind: 'ignored',
      reason: expect.stringMatching(/^forced push/),
    });
  });

  it('with 20 listed commits (GitHub truncates there) every app is rebuilt', () => {
    const p = plan('go-scm__push.json', 'master', (raw) => {
      const c = raw.commits?.[0];
      raw.commits = Array.from({ length: 20 }, () => ({ ...(c as object), added: [], modified: ['README.md'], removed: [] }));
    });
    expect(p).toMatchObject({ kind: 'work', builds: ['tailspin-server', 'tailspin-client'], manifests: true, truncated: true });
  });
});
