/**
 * Every third-party payload through the local host, with the exact outcome asserted per file,
 * plus duplicates and bad input. No pipeline runs here (TAILSPIN_SANDBOX off, nothing dequeues
 * work that matters): this is the doors and the store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHost } from '../../src/local/host.js';
import { sharedDir, sharedText } from '../helpers/fixtures.js';
import { api, eventually, postEvents, postWebhook, startTestHost, WEBHOOK_SECRET } from '../helpers/host.js';
import { HELLO_WORLD_CATALOG } from '../helpers/catalogs.js';
import { admitted } from '../helpers/releases.js';

const DIGEST = 'sha256:213bbc182920ab41e18edc2001e06abcca6735d87782d9cef68abd83941cf0e5';
const catalog = HELLO_WORLD_CATALOG;

let host: LocalHost;
beforeAll(async () => {
  host = await startTestHost({
    GITHUB_REPOSITORY: 'Codertocat/Hello-World',
    GITHUB_DEPLOY_BRANCH: 'master',
    ACR_LOGIN_SERVER: 'demo.azurecr.io',
    TAILSPIN_ENVIRONMENTS: 'dev,prod',
    TAILSPIN_CATALOG: JSON.stringify(catalog),
    // No queue trigger is registered by these tests' concern; releases stay queued where we can see them.
  });
});
afterAll(async () => host?.stop());

const releases = async () => ((await (await api(host, '/deployments?limit=500')).json()) as { releases: { id: string }[] }).releases;

const EVENT_BY_PREFIX: [RegExp, string][] = [
  [/ping/, 'ping'],
  [/push|tag-event/, 'push'],
  [/registry_package/, 'registry_package'],
  [/package_published/, 'package'],
  [/deployment_status/, 'deployment_status'],
  [/deployment_payload/, 'deployment'],
  [/create_payload/, 'create'],
  [/delete_payload/, 'delete'],
];
const eventFor = (file: string) => EVENT_BY_PREFIX.find(([re]) => re.test(file))?.[1] ?? 'unknown';

const GITHUB_EXPECTED: Record<string, unknown> = {
  'argo-cd__github-ping-event.json': { ignored: 'ping: webhook is configured' },
  'argo-cd__github-tag-event.json': { ignored: 'repository jessesuen/test-repo is not deployed here (configured: Codertocat/Hello-World)' },
  'go-playground-webhooks__ping.json': { ignored: 'ping: webhook is configured' },
  'go-playground-webhooks__push.json': {
    ignored: 'repository binkkatal/sample_app is not deployed here (configured: Codertocat/Hello-World)',
  },
  'go-scm__push.json': { ignored: 'no change under server/, k8s/' },
  'go-scm__push_branch_create.json': {
    ignored: 'repository bradrydzewski/drone-test-go is not deployed here (configured: Codertocat/Hello-World)',
  },
  'go-scm__push_branch_delete.json': {
    ignored: 'repository bradrydzewski/drone-test-go is not deployed here (configured: Codertocat/Hello-World)',
  },
  'go-scm__push_tag.json': { ignored: 'repository bradrydzewski/drone-test-go is not deployed here (configured: Codertocat/Hello-World)' },
  'jenkins-github-plugin__push.json': { ignored: 'repository lanwen/test is not deployed here (configured: Codertocat/Hello-World)' },
  'octokit-webhooks__create_payload.json': { ignored: '"create" events do not deploy; subscribe this webhook to push events' },
  'octokit-webhooks__delete_payload.json': { ignored: '"delete" events do not deploy; subscribe this webhook to push events' },
  'octokit-webhooks__deployment_payload.json': { ignored: '"deployment" events do not deploy; subscribe this webhook to push events' },
  'octokit-webhooks__deployment_status_gh-pages.payload.json': {
    ignored: '"deployment_status" events do not deploy; subscribe this webhook to push events',
  },
  'octokit-webhooks__deployment_status_payload.json': {
    ignored: '"deployment_status" events do not deploy; subscribe this webhook to push events',
  },
  'octokit-webhooks__ghes-35_ping_payload.json': { ignored: 'ping: webhook is configured' },
  'octokit-webhooks__package_published.docker.payload.json': {
    ignored: '"package" events do not deploy; subscribe this webhook to push events',
  },
  'octokit-webhooks__ping_payload.json': { ignored: 'ping: webhook is configured' },
  'octokit-webhooks__ping_with-app_id.payload.json': { ignored: 'ping: webhook is configured' },
  'octokit-webhooks__ping_with-organization.payload.json': { ignored: 'ping: webhook is configured' },
  'octokit-webhooks__push_payload.json': { ignored: 'tag simple-tag was deleted; images keep the versions they were given' },
  'octokit-webhooks__push_with-installation.payload.json': {
    ignored: 'tag simple-tag was deleted; images keep the versions they were given',
  },
  'octokit-webhooks__push_with-new-branch.payload.json': { ignored: 'branch master was created; the next push to it deploys' },
  'octokit-webhooks__push_with-no-username-committer.payload.json': { ignored: 'branch master was created; the next push to it deploys' },
  'octokit-webhooks__push_with-organization.payload.json': {
    ignored: 'tag simple-tag was deleted; images keep the versions they were given',
  },
  'octokit-webhooks__registry_package_published.docker.payload.json': {
    ignored: '"registry_package" events do not deploy; subscribe this webhook to push events',
  },
};

describe('GitHub webhook: every payload in shared/fixtures/github', () => {
  it('has an expectation for every file', () => {
    expect(sharedDir('github').sort()).toEqual(Object.keys(GITHUB_EXPECTED).sort());
  });
  it.each(Object.entries(GITHUB_EXPECTED))('%s', async (file, expected) => {
    const res = await postWebhook(host, { event: eventFor(file), body: sharedText('github', file) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(expected);
  });
  it('stored nothing for any of them', async () => {
    expect(await releases()).toEqual([]);
  });
});

const EVENTGRID_EXPECTED: Record<string, { status: number; body: unknown }> = {
  'azure-docs__SubscriptionValidationEvent.json': { status: 200, body: { validationResponse: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6' } },
  'azure-docs__acr-ChartDeleted.cloudevents-schema.json': {
    status: 200,
    body: {
      results: [
        {
          id: '39136b3a-1a7e-416f-a09e-5c85d5402fca',
          outcome: 'ignored',
          reason: 'Microsoft.ContainerRegistry.ChartDeleted events do not deploy',
        },
      ],
    },
  },
  'azure-docs__acr-ChartDeleted.eventgrid-schema.json': {
    status: 200,
    body: {
      results: [
        {
          id: '39136b3a-1a7e-416f-a09e-5c85d5402fca',
          outcome: 'ignored',
          reason: 'Microsoft.ContainerRegistry.ChartDeleted events do not deploy',
        },
      ],
    },
  },
  'azure-docs__acr-ChartPushed.eventgrid-schema.json': {
    status: 200,
    body: {
      results: [
        {
          id: 'ea3a9c28-5b17-40f6-a500-3f02b6829277',
          outcome: 'ignored',
          reason: 'Microsoft.ContainerRegistry.ChartPushed events do not deploy',
        },
      ],
    },
  },
  'azure-docs__acr-ImageDeleted.cloudevents-schema.json': {
    status: 200,
    body: { results: [{ id: expect.any(String), outcome: 'ignored', reason: 'ImageDeleted events do not deploy' }] },
  },
  'azure-docs__acr-ImageDeleted.eventgrid-schema.json': {
    status: 200,
    body: { results: [{ id: expect.any(String), outcome: 'ignored', reason: 'ImageDeleted events do not deploy' }] },
  },
  'azure-sdk-for-java__ContainerRegistryChartDeletedEvent.json': {
    status: 200,
    body: {
      results: [{ id: expect.any(String), outcome: 'ignored', reason: expect.stringMatching(/ChartDeleted events do not deploy$/) }],
    },
  },
  'azure-sdk-for-java__ContainerRegistryChartPushedEvent.json': {
    status: 200,
    body: { results: [{ id: expect.any(String), outcome: 'ignored', reason: expect.stringMatching(/ChartPushed events do not deploy$/) }] },
  },
};

describe('ACR events: every payload in shared/fixtures/eventgrid', () => {
  it.each(Object.entries(EVENTGRID_EXPECTED))('%s', async (file, expected) => {
    const res = await postEvents(
      host,
      sharedText('eventgrid', file),
      file.includes('cloudevents') ? 'application/cloudevents-batch+json' : 'application/json',
    );
    expect({ status: res.status, body: await res.json() }).toEqual(expected);
  });

  it('ImagePushed (Event Grid schema, short type) → one image release pinned to the digest, tag kept; CloudEvents copies of the same event are duplicates', async () => {
    const first = await postEvents(host, sharedText('eventgrid', 'azure-docs__acr-ImagePushed.eventgrid-schema.json'));
    const body = (await first.json()) as { results: { outcome: string; releaseId: string }[] };
    expect(first.status).toBe(200);
    // Accepted with its release id reserved; admission follows from the queue (#19).
    expect(body.results).toEqual([
      { id: '831e1650-001e-001b-66ab-eeb76e069631', outcome: 'accepted', releaseId: expect.stringMatching(/^r-/) },
    ]);
    const id = body.results[0]?.releaseId ?? '';
    const rel = await admitted(host, id);
    expect(rel).toMatchObject({
      app: 'hello-server',
      environment: 'dev',
      kind: 'image',
      phase: 'queued',
      image: `demo.azurecr.io/aci-helloworld@${DIGEST}`,
      tag: 'v1',
    });
    for (const f of [
      'azure-docs__acr-ImagePushed.cloudevents-schema.json',
      'learn-microsoft-current__acr-ImagePushed.cloudevents-schema.json',
    ]) {
      // Until admission has settled the first delivery, a copy is answered 503 "in flight" (Event Grid sends it again).
      const again = await eventually(async () => {
        const res = await postEvents(host, sharedText('eventgrid', f), 'application/cloudevents-batch+json');
        return res.status === 200 ? ((await res.json()) as { results: unknown[] }) : undefined;
      }, 'the copy answered as a duplicate');
      expect(again.results).toEqual([{ id: '831e1650-001e-001b-66ab-eeb76e069631', outcome: 'duplicate', releaseId: id }]);
    }
  });

  it('the CloudEvents OPTIONS preflight allows the asking origin', async () => {
    const res = await fetch(`${host.url}/api/acr/events?code=test-function-key-0123`, {
      method: 'OPTIONS',
      headers: { 'WebHook-Request-Origin': 'eventgrid.azure.net' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('webhook-allowed-origin')).toBe('eventgrid.azure.net');
  });
});

describe('exactly one release for duplicate and concurrent deliveries (against azurite)', () => {
  const push = (digestSeed: string) => {
    const raw = JSON.parse(sharedText('github', 'go-scm__push.json')) as { after: string; commits: { modified: string[] }[] };
    raw.after = digestSeed.repeat(40).slice(0, 40);
    if (raw.commits[0]) raw.commits[0].modified = ['server/app.py'];
    return JSON.stringify(raw);
  };

  it('50 concurrent deliveries of one GitHub delivery id → one build release; all others answer duplicate', async () => {
    const body = push('a');
    const results = await Promise.all(
      Array.from({ length: 50 }, () => postWebhook(host, { event: 'push', body, delivery: 'dup-delivery-1' })),
    );
    const bodies = (await Promise.all(results.map((r) => r.json()))) as { releaseIds?: string[]; duplicate?: boolean }[];
    const accepted = bodies.filter((b) => !b.duplicate);
    expect(accepted).toHaveLength(1);
    expect(results.filter((r) => r.status === 202)).toHaveLength(1);
    expect(bodies.filter((b) => b.duplicate)).toHaveLength(49);
    const [rid] = accepted[0]?.releaseIds ?? [];
    expect(bodies.filter((b) => b.duplicate).every((b) => b.releaseIds?.[0] === rid)).toBe(true);
    const rel = await admitted(host, rid ?? '');
    expect(rel).toMatchObject({ kind: 'build', app: 'hello-server', commit: 'a'.repeat(40) });
  });

  it('50 different deliveries of the same commit → one build (semantic dedup behind the queue)', async () => {
    // Each new delivery is accepted (202, its own reserved id): semantic dedup now runs at admission, after
    // the answer (#19), so 49 of the ids become "duplicate of" the one release instead of a 200 at the door.
    const body = push('b');
    const results = await Promise.all(Array.from({ length: 50 }, () => postWebhook(host, { event: 'push', body })));
    expect(results.filter((r) => r.status === 202)).toHaveLength(50);
    const reserved = (await Promise.all(results.map(async (r) => ((await r.json()) as { releaseIds: string[] }).releaseIds))).flat();
    expect(new Set(reserved).size).toBe(50);
    const outcomes = await Promise.all(reserved.map((id) => admitted(host, id)));
    const releases = outcomes.filter((o) => o.admission === undefined);
    expect(releases).toHaveLength(1);
    const one = releases[0]?.id;
    expect(outcomes.filter((o) => o.admission === 'duplicate' && o.of === one)).toHaveLength(49);
  });

  it('the same digest through both doors (HTTP and the Event Grid trigger), 50 concurrent → one release', async () => {
    const digest = `sha256:${'c'.repeat(64)}`;
    const event = (i: number) => ({
      id: `evt-both-${i}`,
      eventType: 'Microsoft.ContainerRegistry.ImagePushed',
      eventTime: new Date().toISOString(),
      dataVersion: '1.0',
      topic: '/subscriptions/x/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/demo',
      subject: 'aci-helloworld:v2',
      data: { target: { digest, repository: 'aci-helloworld', tag: 'v2' }, request: { host: 'demo.azurecr.io' } },
    });
    const calls = Array.from({ length: 50 }, (_, i) =>
      i % 2 === 0
        ? postEvents(host, [event(i)])
        : fetch(`${host.url}/runtime/webhooks/eventgrid?functionName=acrImagePushed&code=test-function-key-0123`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify([event(i)]),
          }),
    );
    const answers = await Promise.all(calls);
    // The HTTP door answers with reserved ids; wait until admission (behind the queue) has decided on each.
    const ids = (
      await Promise.all(
        answers.map(async (r) => (r.url.includes('/api/acr/') ? ((await r.json()) as { results: { releaseId: string }[] }).results : [])),
      )
    ).flatMap((rs) => rs.map((x) => x.releaseId));
    expect(ids).toHaveLength(25);
    await Promise.all(ids.map((id) => admitted(host, id)));
    await eventually(
      async () =>
        (
          (await (await api(host, '/deployments?app=hello-server&environment=dev&limit=500')).json()) as { releases: { image?: string }[] }
        ).releases.some((r) => r.image?.endsWith(digest))
          ? true
          : undefined,
      'the release of the digest',
    );
    const list = (
      (await (await api(host, '/deployments?app=hello-server&environment=dev&limit=500')).json()) as { releases: { image?: string }[] }
    ).releases;
    expect(list.filter((r) => r.image?.endsWith(digest))).toHaveLength(1);
  });
});

describe('bad input gets a clear error and stores nothing', () => {
  const body = sharedText('github', 'go-scm__push.json');
  it.each([
    ['missing signature', { signature: null }, 401, /missing X-Hub-Signature-256/],
    ['wrong secret', { secret: 'not-the-secret-at-all' }, 401, /does not match/],
    ['malformed signature', { signature: 'sha1=abc' }, 401, /must be "sha256="/],
    ['missing delivery id', { delivery: '' }, 400, /X-GitHub-Delivery/],
    ['hostile delivery id', { delivery: "x'; DROP TABLE--" }, 400, /X-GitHub-Delivery/],
    ['wrong content type', { contentType: 'text/plain' }, 415, /content type/],
  ])('%s', async (_name, over, status, message) => {
    const res = await postWebhook(host, { event: 'push', body, ...(over as object) });
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: string }).error).toMatch(message);
  });

  it('truncated JSON → 400 naming the problem', async () => {
    const res = await postWebhook(host, { event: 'push', body: body.slice(0, body.length / 2) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/not valid JSON/);
  });

  it('a push that is JSON but not a push → 400 naming the field', async () => {
    const res = await postWebhook(host, { event: 'push', body: JSON.stringify({ ref: 'refs/heads/master', after: 'nope' }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/^push payload: .*after/);
  });

  it('a body over 25 MB → 413 before anything else', async () => {
    const res = await postWebhook(host, {
      event: 'push',
      body: new Uint8Array(25 * 1024 * 1024 + 1),
      signature: 'sha256=' + '0'.repeat(64),
    });
    expect(res.status).toBe(413);
  });

  it('the previous secret is accepted during rotation only when configured', async () => {
    const res = await postWebhook(host, { event: 'ping', body: '{}', secret: 'previous-secret-0123456789' });
    expect(res.status).toBe(401);
    expect(WEBHOOK_SECRET).not.toBe('previous-secret-0123456789');
  });

  it('ACR door: not JSON → 400, wrong type → 415, no valid event → 400, hostile repository → invalid', async () => {
    expect((await postEvents(host, '{"truncated": ')).status).toBe(400);
    expect((await postEvents(host, '[]', 'text/plain')).status).toBe(415);
    const hostile = {
      id: 'evt-hostile',
      eventType: 'Microsoft.ContainerRegistry.ImagePushed',
      data: {
        target: { digest: `sha256:${'d'.repeat(64)}`, repository: 'x/../../etc; rm -rf', tag: "v1' or 1==1" },
        request: { host: 'demo.azurecr.io' },
      },
    };
    const res = await postEvents(host, [hostile, { nonsense: true }]);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      results: [
        { id: 'evt-hostile', outcome: 'invalid', reason: 'data.target.repository is not a valid repository name' },
        { outcome: 'invalid' },
      ],
    });
  });

  it('one bad event in a batch does not lose the good one', async () => {
    const good = {
      id: 'evt-good-1',
      eventType: 'Microsoft.ContainerRegistry.ImagePushed',
      data: {
        target: { digest: `sha256:${'e'.repeat(64)}`, repository: 'aci-helloworld', tag: 'v3' },
        request: { host: 'demo.azurecr.io' },
      },
    };
    const res = await postEvents(host, [{ id: 'bad', eventType: 'ImagePushed', data: { target: { digest: 'md5:1' } } }, good]);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { results: { outcome: string }[] }).results.map((r) => r.outcome)).toEqual(['invalid', 'accepted']);
  });
});

describe('manual door', () => {
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    api(host, '/deployments', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('deploy by digest → 202 with a status URL whose release has a timeline', async () => {
    const image = `demo.azurecr.io/aci-helloworld@sha256:${'f'.repeat(64)}`;
    const res = await post(
      { app: 'hello-server', environment: 'prod', action: 'deploy', image, reason: 'hotfix' },
      { 'idempotency-key': 'k-1' },
    );
    expect(res.status).toBe(202);
    const { releaseId, statusUrl } = (await res.json()) as { releaseId: string; statusUrl: string };
    expect(statusUrl).toMatch(new RegExp(`/api/deployments/${releaseId}$`));
    const rel = (await (await api(host, `/deployments/${releaseId}`)).json()) as {
      timeline: { to: string; reason: string }[];
      source: unknown;
    };
    expect(rel.timeline).toEqual([expect.objectContaining({ from: null, to: 'queued', reason: 'deploy requested: hotfix' })]);
    const again = await post(
      { app: 'hello-server', environment: 'prod', action: 'deploy', image, reason: 'hotfix' },
      { 'idempotency-key': 'k-1' },
    );
    expect(await again.json()).toMatchObject({ releaseId, duplicate: true });
  });

  it.each([
    [{ app: 'hello-server', environment: 'prod', action: 'deploy', reason: 'x' }, 400, /^image: is required/],
    [
      { app: 'hello-server', environment: 'prod', action: 'deploy', image: 'demo.azurecr.io/ACI:latest', reason: 'x' },
      400,
      /^image: image reference must look like/,
    ],
    [
      { app: 'hello-server', environment: 'prod', action: 'deploy', image: 'evil.example.com/aci-helloworld:v1', reason: 'x' },
      400,
      /^image: registry must be demo.azurecr.io/,
    ],
    [
      { app: 'hello-server', environment: 'prod', action: 'deploy', image: 'demo.azurecr.io/other:v1', reason: 'x' },
      400,
      /^image: repository must be aci-helloworld/,
    ],
    [{ app: 'Hello; rm -rf /', environment: 'prod', action: 'deploy', reason: 'x' }, 400, /^app: /],
    [{ app: 'hello-server', environment: 'prod', action: 'explode', reason: 'x' }, 400, /^action: /],
    [{ app: 'hello-server', environment: 'prod', action: 'redeploy', reason: 'x', extra: 1 }, 400, /extra/],
    [{ app: 'nope', environment: 'prod', action: 'redeploy', reason: 'x' }, 404, /unknown app "nope"/],
    [{ app: 'hello-server', environment: 'staging', action: 'redeploy', reason: 'x' }, 404, /unknown environment "staging"/],
    [{ app: 'hello-server', environment: 'prod', action: 'redeploy', reason: 'x' }, 409, /no verified release to redeploy/],
  ])('%j', async (body, status, message) => {
    const res = await post(body);
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: string }).error).toMatch(message);
  });

  it('needs the function key', async () => {
    const res = await fetch(`${host.url}/api/deployments`, { method: 'GET' });
    expect(res.status).toBe(401);
  });

  it('GET validates its query and ids', async () => {
    expect((await api(host, '/deployments?limit=0')).status).toBe(400);
    expect((await api(host, "/deployments?app=x'%20or%201==1")).status).toBe(400);
    expect((await api(host, '/deployments/not-an-id')).status).toBe(400);
    expect((await api(host, '/deployments/r-abc-000000')).status).toBe(404);
  });
});
