/**
 * Issue 6 end to end: a signed push touching server/ becomes an ACR build on the ARM fake, whose
 * ImagePushed event becomes an image release that knows its commit; pushes touching k8s/apps
 * become manifest releases that are validated, applied, verified, blocked or rolled back.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHost } from '../../src/local/host.js';
import { sandboxSlots } from '../../src/sandbox/index.js';
import type { GitHubFake } from '../../src/sandbox/github/server.js';
import type { FakeKubernetes } from '../../src/sandbox/kubernetes/server.js';
import { api, eventually, postWebhook, startTestHost } from '../helpers/host.js';
import { repoRoot } from '../helpers/fixtures.js';
import { isEnded } from '../helpers/releases.js';

let host: LocalHost;
let github: GitHubFake;
let kube: FakeKubernetes;

beforeAll(async () => {
  host = await startTestHost(
    {
      ROLLOUT_POLL_SECONDS: '1',
      ROLLOUT_DEADLINE_SECONDS: '20',
      VERIFY_WINDOW_SECONDS: '2',
      VERIFY_INTERVAL_SECONDS: '1',
      VERIFY_MIN_REQUESTS: '5',
      SCAN_POLL_SECONDS: '1',
      BUILD_POLL_SECONDS: '1',
      SANDBOX_KUBE_TIME_SCALE: '0.1',
    },
    sandboxSlots,
  );
  github = host.sandbox.find((s) => s.name === 'github')?.handle as GitHubFake;
  kube = host.sandbox.find((s) => s.name === 'kubernetes')?.handle as FakeKubernetes;
}, 120_000);
afterAll(async () => host?.stop());

interface View {
  id: string;
  phase: string;
  kind: string;
  commit?: string;
  image?: string;
  timeline: { to: string; reason: string }[];
}
const view = async (id: string) => (await (await api(host, `/deployments/${id}`)).json()) as View;
const settle = (id: string) =>
  eventually(async () => ((v) => (isEnded(v.phase) ? v : undefined))(await view(id)), `release ${id} to end`, 60_000, 250);

let n = 0;
function pushBody(paths: string[]): { body: string; sha: string } {
  const sha = (++n).toString(16).padStart(2, '0').repeat(20);
  const before = 'f'.repeat(40);
  const commit = {
    id: sha,
    message: 'change',
    timestamp: new Date().toISOString(),
    added: [],
    removed: [],
    modified: paths,
    author: { name: 'dev', email: 'dev@example.com' },
    committer: { name: 'dev', email: 'dev@example.com' },
    distinct: true,
    url: 'https://example.com',
  };
  return {
    sha,
    body: JSON.stringify({
      ref: 'refs/heads/main',
      before,
      after: sha,
      created: false,
      deleted: false,
      forced: false,
      compare: `https://github.com/tailspin/tailspin-toys/compare/${before.slice(0, 12)}...${sha.slice(0, 12)}`,
      commits: [commit],
      head_commit: commit,
      repository: { full_name: 'tailspin/tailspin-toys' },
      pusher: { name: 'dev' },
    }),
  };
}

async function push(paths: string[]): Promise<{ ids: string[]; sha: string }> {
  const { body, sha } = pushBody(paths);
  const res = await postWebhook(host, { event: 'push', body });
  expect(res.status).toBe(202);
  return { ids: ((await res.json()) as { releaseIds: string[] }).releaseIds, sha };
}

/** The repository's own k8s/apps files, optionally changed, served by the GitHub fake at a commit. */
function serveManifests(
  sha: string,
  edit: (path: string, text: string) => string = (_p, t) => t,
  extra: { path: string; content: string }[] = [],
) {
  const dir = join(repoRoot, 'k8s', 'apps');
  const files = readdirSync(dir).map((f) => ({ path: `k8s/apps/${f}`, content: edit(f, readFileSync(join(dir, f), 'utf8')) }));
  github.setTree(sha, [...files, ...extra]);
}

const serverDeployment = async () => {
  const o = await host.services.pipeline.cluster.observe({
    namespace: 'tail-spin',
    deployment: 'tailspin-server',
    container: 'tailspin-server',
  });
  if (!o.ok) throw new Error(o.error.message);
  return o.value;
};

describe('push to release', { timeout: 120_000 }, () => {
  it('a push touching server/ builds the commit on ACR; the pushed image is released with its commit and verified', async () => {
    const { ids, sha } = await push(['server/app.py']);
    expect(ids).toHaveLength(1);
    const build = await settle(ids[0] ?? '');
    expect(build).toMatchObject({ kind: 'build', phase: 'succeeded', commit: sha });
    const image = await eventually(async () => {
      const list = ((await (await api(host, '/deployments?app=tailspin-server&environment=dev')).json()) as { releases: View[] }).releases;
      return list.find((r) => r.kind === 'image' && r.commit === sha);
    }, 'the image release of the build');
    const done = await settle(image.id);
    expect(done.phase).toBe('succeeded');
    expect((await serverDeployment()).image).toBe(done.image);
    // Commit statuses are notices sent after the terminal save: the view can say succeeded first.
    const want = [
      'tailspin-deployer/build:pending',
      'tailspin-deployer/build:success',
      'tailspin-deployer/scan:success',
      'tailspin-deployer/deploy-dev:success',
    ];
    const seen = () => github.state.statuses.filter((s) => s.sha === sha).map((s) => `${s.context}:${s.state}`);
    await eventually(() => Promise.resolve(want.every((w) => seen().includes(w)) ? true : undefined), 'the commit statuses').catch(
      () => undefined,
    );
    expect(seen()).toEqual(expect.arrayContaining(want));
  });

  it('a push touching k8s/apps applies the changed manifests, pinned to the verified digest, and verifies them', async () => {
    const running = (await serverDeployment()).image;
    const { ids, sha } = await push(['k8s/apps/tailspin-server.yaml']);
    serveManifests(sha, (f, t) => (f === 'tailspin-server.yaml' ? t.replace(/replicas: 2/, 'replicas: 3') : t));
    const v = await settle(ids[0] ?? '');
    expect(v.phase).toBe('succeeded');
    const d = await serverDeployment();
    expect(d.desiredReplicas).toBe(3);
    expect(d.image).toBe(running);
  });

  it('invalid manifests are blocked with the reason per document', async () => {
    const { ids, sha } = await push(['k8s/apps/extra.yaml']);
    serveManifests(sha, undefined, [
      {
        path: 'k8s/apps/extra.yaml',
        content:
          'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: takeover\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: elsewhere\n  namespace: kube-system\n',
      },
    ]);
    const v = await settle(ids[0] ?? '');
    expect(v.phase).toBe('blocked');
    const reason = v.timeline.at(-1)?.reason ?? '';
    expect(reason).toMatch(/k8s\/apps\/extra\.yaml#1 ClusterRole\/takeover: ClusterRole is cluster-scoped/);
    expect(reason).toMatch(/k8s\/apps\/extra\.yaml#2 ConfigMap\/elsewhere: namespace must be tail-spin, got kube-system/);
  });

  it('a manifest change that breaks health is rolled back to the previous verified manifests', async () => {
    const { ids, sha } = await push(['k8s/apps/tailspin-server.yaml']);
    kube.setImageBehaviour('tailspin-server', 'ready');
    serveManifests(sha, (f, t) =>
      f === 'tailspin-server.yaml'
        ? t.replace(/replicas: 2/, 'replicas: 3').replace(/(\n {6}labels:\n)/, '$1        tailspin.dev/sim: crash\n')
        : t,
    );
    const v = await settle(ids[0] ?? '');
    expect(v.phase).toBe('rolled_back');
    expect(v.timeline.map((e) => e.to)).toEqual(['queued', 'deploying', 'rolling_back', 'rolled_back']);
    expect(v.timeline.at(-1)?.reason).toMatch(/rolled back to the manifests at [0-9a-f]{40}/);
    const d = await serverDeployment();
    expect(d.podProblems).toEqual([]);
  });
});
