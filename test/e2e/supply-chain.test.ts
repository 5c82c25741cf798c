/**
 * Issue 15 end to end through the local host: a push builds one immutable `<sha>` tag; once the scan
 * passed, `latest` moves inside the registry (ARM importImage) and the scan's SARIF reaches GitHub
 * code scanning with the commit and the app's category; a vulnerable build never gets `latest` and
 * its SARIF carries the blocking findings; a tag v1.2.3 on the first commit versions the same digest
 * without a second build. Hostile tag pushes are answered 200 with the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHost } from '../../src/local/host.js';
import { sandboxSlots } from '../../src/sandbox/index.js';
import type { AcrFake } from '../../src/sandbox/acr/fake.js';
import type { GitHubFake } from '../../src/sandbox/github/server.js';
import { imagePushedEvent } from '../../src/sandbox/acr/fake-registry.js';
import { api, eventually, postEvents, postWebhook, startTestHost } from '../helpers/host.js';
import { isEnded, tagPushBody } from '../helpers/releases.js';

let host: LocalHost;
let github: GitHubFake;
let acr: AcrFake;

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
  acr = host.sandbox.find((s) => s.name === 'acr')?.handle as AcrFake;
}, 120_000);
afterAll(async () => host?.stop());

interface View {
  id: string;
  app: string;
  phase: string;
  kind: string;
  commit?: string;
  version?: string;
  image?: string;
  links: Record<string, string>;
  outcome: {
    tags?: { added: string[]; withheld?: { tag: string; reason: string }[] };
    codeScanning?: { state: string; category?: string; commit?: string; sarifId?: string; processing?: string; results?: number };
  };
}
const view = async (id: string) => (await (await api(host, `/deployments/${id}`)).json()) as View;
const settle = (id: string) =>
  eventually(async () => ((v) => (isEnded(v.phase) ? v : undefined))(await view(id)), `release ${id} to end`, 60_000, 250);
const list = async (app: string) =>
  ((await (await api(host, `/deployments?app=${app}&environment=dev&limit=50`)).json()) as { releases: View[] }).releases;
const digestOf = (v: View) => v.image?.split('@')[1] ?? '';

let n = 0x40;
function pushBody(paths: string[]): { body: string; sha: string } {
  const sha = (++n).toString(16).padStart(2, '0').repeat(20);
  const commit = { id: sha, message: 'change', timestamp: new Date().toISOString(), added: [], removed: [], modified: paths };
  return {
    sha,
    body: JSON.stringify({
      ref: 'refs/heads/main',
      before: 'f'.repeat(40),
      after: sha,
      commits: [commit],
      head_commit: commit,
      repository: { full_name: 'tailspin/tailspin-toys' },
      pusher: { name: 'dev' },
    }),
  };
}

/** An annotated tag's push: `after` is the tag object, head_commit the commit. */
const tagBody = (ref: string, commit: string, extra: Record<string, unknown> = {}) =>
  tagPushBody(ref, commit, { after: 'e'.repeat(40), ...extra });

/** A push to server/, followed to the end of its image release. */
async function pushServer(): Promise<{ sha: string; image: View }> {
  const { body, sha } = pushBody(['server/app.py']);
  const res = await postWebhook(host, { event: 'push', body });
  expect(res.status).toBe(202);
  const [buildId = ''] = ((await res.json()) as { releaseIds: string[] }).releaseIds;
  expect((await settle(buildId)).phase).toBe('succeeded');
  const image = await eventually(
    async () => (await list('tailspin-server')).find((r) => r.kind === 'image' && r.commit === sha),
    'the image release of the build',
  );
  return { sha, image: await settle(image.id) };
}

/** The image names of every build of tailspin-server at this commit. */
const builtImageNames = (sha: string) =>
  [...acr.runs.values()]
    .filter(
      (r) =>
        r.kind === 'build' && r.build?.sourceLocation.includes(sha) && r.build.imageNames.some((i) => i.startsWith('tailspin-server:')),
    )
    .map((r) => r.build?.imageNames);

let first: { sha: string; image: View };

describe('supply chain: tags after the gate, SARIF in code scanning, semantic versions', { timeout: 180_000 }, () => {
  it('a push builds <sha> only; once the scan passed, latest moves and the SARIF reaches code scanning', async () => {
    first = await pushServer();
    const { sha, image } = first;
    expect(image.phase).toBe('succeeded');
    const digest = digestOf(image);
    // one immutable candidate tag from the build, nothing else
    expect(builtImageNames(sha)).toEqual([[`tailspin-server:${sha}`]]);
    // latest moved inside the registry, and only after the scan of that digest
    expect(acr.digestOf('tailspin-server', 'latest')).toBe(digest);
    const scanAt = acr.calls.findIndex((c) => c.path.endsWith('/scheduleRun') && JSON.stringify(c.body).includes('EncodedTaskRunRequest'));
    const importAt = acr.calls.findIndex((c) => c.path.endsWith('/importImage'));
    expect(scanAt).toBeGreaterThanOrEqual(0);
    expect(importAt).toBeGreaterThan(scanAt);
    // (the kept tags, deployed-dev and verified-dev, are imports of their own: test/e2e/registry-hygiene.test.ts)
    expect(acr.imports().filter((i) => i.targets.includes('tailspin-server:latest'))).toEqual([
      { source: `tailspin-server@${digest}`, targets: ['tailspin-server:latest'], mode: 'Force' },
    ]);
    expect(image.outcome.tags).toMatchObject({ added: ['latest'] });
    // SARIF: the right commit and category, gzip+base64 decoded by the fake, processing followed
    const sarif = github.state.sarifs.find((s) => s.commitSha === sha);
    expect(sarif).toMatchObject({ ref: 'refs/heads/main', categories: ['tailspin-deployer/tailspin-server'], toolName: 'Trivy' });
    expect(image.outcome.codeScanning).toMatchObject({
      state: 'uploaded',
      commit: sha,
      category: 'tailspin-deployer/tailspin-server',
      sarifId: sarif?.id,
      processing: 'complete',
    });
    expect(image.links.codeScanning).toMatch(/\/code-scanning\/analyses\?sarif_id=/);
    expect(github.unexpected).toEqual([]);
    acr.assertNoUnexpectedCalls();
  });

  it('a vulnerable build never gets latest; its SARIF shows the blocking findings and the issue links it', async () => {
    const before = acr.digestOf('tailspin-server', 'latest');
    acr.setReport({ repository: 'tailspin-server' }, 'vulnerable');
    try {
      const { sha, image } = await pushServer();
      expect(image.phase).toBe('blocked');
      expect(acr.digestOf('tailspin-server', 'latest')).toBe(before);
      expect(acr.digestOf('tailspin-server', sha)).toBe(digestOf(image));
      expect(image.outcome.tags?.withheld?.[0]).toMatchObject({ tag: 'latest' });
      const sarif = github.state.sarifs.find((s) => s.commitSha === sha);
      const errors = sarif?.results.filter((r) => r.level === 'error').map((r) => r.ruleId) ?? [];
      expect(errors.length).toBeGreaterThanOrEqual(2); // the report's CRITICAL and HIGH
      expect(image.outcome.codeScanning).toMatchObject({ state: 'uploaded', commit: sha, results: sarif?.results.length });
      const issue = await eventually(
        () => Promise.resolve(github.state.issues.find((i) => (i.body ?? '').includes(digestOf(image)))),
        'the blocking issue',
      );
      expect(issue.body).toMatch(/\| Code scanning \| SARIF .*tailspin-deployer\/tailspin-server/);
      // GET /api/deployments lists the blocked digest with the evidence
      const listed = (await list('tailspin-server')).find((r) => r.id === image.id);
      expect(listed?.outcome.tags?.withheld?.[0]?.reason).toMatch(/blocked/);
    } finally {
      acr.setReport({ repository: 'tailspin-server' }, 'clean');
    }
  });

  it('a v1.2.3 tag on the first commit versions the same digest without a second build', async () => {
    const { sha, image } = first;
    const res = await postWebhook(host, { event: 'push', body: tagBody('refs/tags/v1.2.3', sha) });
    expect(res.status).toBe(202);
    const ids = ((await res.json()) as { releaseIds: string[] }).releaseIds;
    const server = await eventually(async () => {
      for (const id of ids) {
        const v = await view(id);
        if (v.app === 'tailspin-server') return v;
      }
      return undefined;
    }, 'the server version release');
    const done = await settle(server.id);
    expect(done).toMatchObject({ kind: 'version', phase: 'succeeded', version: 'v1.2.3', commit: sha, image: image.image });
    expect(acr.digestOf('tailspin-server', 'v1.2.3')).toBe(digestOf(image));
    expect(builtImageNames(sha)).toHaveLength(1); // no second build of the server
    // a version release tagged a digest, it verified nothing: not a rollback target
    const back = await api(host, '/deployments', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ app: 'tailspin-server', environment: 'dev', action: 'rollback', to: done.id, reason: 'test' }),
    });
    expect(back.status).toBe(409);
    // The commit status is a notice sent after the terminal save: the view can say succeeded first.
    const status = await eventually(
      () =>
        Promise.resolve(
          github.state.statuses.find(
            (s) => s.sha === sha && s.context === 'tailspin-deployer/version-tailspin-server' && s.state !== 'pending',
          ),
        ),
      'the version commit status (not pending)',
    );
    expect(status.state).toBe('success');
  });

  it.each([
    [
      'a deleted tag',
      tagBody('refs/tags/v1.2.3', 'a'.repeat(40), { deleted: true, after: '0'.repeat(40), head_commit: null }),
      /was deleted/,
    ],
    ['a tag that is not semver', tagBody('refs/tags/release-7', 'a'.repeat(40)), /not a semantic version/],
    ['an enormous ref', tagBody(`refs/tags/v9.9.9-${'x'.repeat(200_000)}`, 'a'.repeat(40)), /characters\)/],
  ])('%s is answered 200 with the reason, and nothing is released', async (_what, body, reason) => {
    const res = await postWebhook(host, { event: 'push', body });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { ignored: string }).ignored).toMatch(reason);
  });

  it('a tag for a commit the registry never saw builds it, and the version release follows it to the gate', async () => {
    const unknown = '7'.repeat(40);
    const res = await postWebhook(host, { event: 'push', body: tagBody('refs/tags/v2.0.0', unknown) });
    expect(res.status).toBe(202);
    const ids = ((await res.json()) as { releaseIds: string[] }).releaseIds;
    const ended = await Promise.all(ids.map(settle));
    for (const v of ended) expect(v).toMatchObject({ kind: 'version', version: 'v2.0.0', phase: 'succeeded' });
    expect(acr.digestOf('tailspin-server', 'v2.0.0')).toBe(acr.digestOf('tailspin-server', unknown));
    // built for a version, so versioned, never deployed: no image release of that commit was admitted
    expect((await list('tailspin-server')).filter((r) => r.kind === 'image' && r.commit === unknown)).toEqual([]);
  });

  it('a tag for a commit that cannot be built ends failed with the build’s reason', async () => {
    acr.scriptNextRun(
      { outcome: 'Failed', errorMessage: 'fatal: reference is not a tree: 8888888' },
      { outcome: 'Failed', errorMessage: 'fatal: reference is not a tree: 8888888' },
    );
    const res = await postWebhook(host, { event: 'push', body: tagBody('refs/tags/v3.0.0', '8'.repeat(40)) });
    expect(res.status).toBe(202);
    const ended = await Promise.all(((await res.json()) as { releaseIds: string[] }).releaseIds.map(settle));
    for (const v of ended) expect(v).toMatchObject({ kind: 'version', phase: 'failed' });
    expect(acr.digestOf('tailspin-server', 'v3.0.0')).toBeUndefined();
  });

  it('an image pushed from outside finds its commit in its OCI revision label; without one the upload is skipped with the reason', async () => {
    const labelled = `sha256:${'5a'.repeat(32)}`;
    const bare = `sha256:${'5b'.repeat(32)}`;
    const commit = '9'.repeat(40);
    acr.tag('tailspin-server', 'ext-1', labelled);
    acr.tag('tailspin-server', 'ext-2', bare);
    acr.setLabels(labelled, { 'org.opencontainers.image.revision': commit });
    // one after the other: a second image of the app would supersede the first before its scan
    const release = async (tag: string, d: string) => {
      const res = await postEvents(host, [imagePushedEvent(acr.registryId, acr.loginServer, 'tailspin-server', tag, d)]);
      expect(res.status).toBe(200);
      const found = await eventually(async () => (await list('tailspin-server')).find((r) => r.image?.endsWith(d)), `the release of ${d}`);
      return settle(found.id);
    };
    const withLabel = await release('ext-1', labelled);
    expect(withLabel.outcome.codeScanning).toMatchObject({ state: 'uploaded', commit });
    expect(github.state.sarifs.some((x) => x.commitSha === commit)).toBe(true);
    const without = await release('ext-2', bare);
    expect(without.outcome.codeScanning).toMatchObject({
      state: 'skipped',
      reason: expect.stringMatching(/no commit is known/) as unknown,
    });
    // a digest the gate passed from the ACR door moves latest like a build's
    expect(acr.digestOf('tailspin-server', 'latest')).toBe(bare);
  });
});
