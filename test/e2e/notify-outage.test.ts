/**
 * Issue 14, item 5 through the local host: GitHub goes down (the fake's outage knob) while a bad
 * release is rolled back. The rollback's notices — issue, failure status, Deployment status — are
 * retried far past six tries, survive the host being stopped and another one started on the same
 * storage, show in /api/health as a backlog, and arrive once GitHub is back.
 * Short settings: NOTIFY_RETRY_SECONDS=1, NOTIFY_RETRY_MAX_SECONDS=2 (production: 30 s doubling to 15 min, for 24 h).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Azurite } from '../../src/local/azurite.js';
import type { LocalHost } from '../../src/local/host.js';
import type { SandboxSlot } from '../../src/sandbox/slot.js';
import { acrSlot } from '../../src/sandbox/acr/slot.js';
import { kubernetesSlot } from '../../src/sandbox/kubernetes/slot.js';
import { monitorSlot } from '../../src/sandbox/monitor/slot.js';
import { SANDBOX_GITHUB_TOKEN } from '../../src/sandbox/github/slot.js';
import { startGitHubFake, type GitHubFake } from '../../src/sandbox/github/server.js';
import type { FakeKubernetes } from '../../src/sandbox/kubernetes/server.js';
import { api, eventually, postEvents, startTestHost } from '../helpers/host.js';
import { withAzurite } from '../helpers/azurite.js';

const digest = (n: number) => `sha256:${n.toString(16).padStart(4, '0').repeat(16)}`;
const commitOf = (n: number) => n.toString(16).padStart(40, 'c');

let storage: Azurite;
let github: GitHubFake;
let first: LocalHost | undefined;
let second: LocalHost | undefined;

/** The same GitHub fake for both hosts: it outlives the first one, like github.com outlives a deployer. */
const sharedGithub = (): SandboxSlot => ({
  name: 'github',
  realConfigured: () => false,
  start: () =>
    Promise.resolve({
      name: 'github',
      describe: [],
      settings: { GITHUB_API_URL: github.url, GITHUB_TOKEN: SANDBOX_GITHUB_TOKEN, GITHUB_CA_PEM: github.ca },
      handle: github,
      stop: () => Promise.resolve(),
    }),
});

const env = {
  ROLLOUT_POLL_SECONDS: '1',
  ROLLOUT_DEADLINE_SECONDS: '20',
  VERIFY_WINDOW_SECONDS: '3',
  VERIFY_INTERVAL_SECONDS: '1',
  VERIFY_MIN_REQUESTS: '10',
  SCAN_POLL_SECONDS: '1',
  SMOKE_RETRIES: '1',
  SANDBOX_KUBE_TIME_SCALE: '0.1',
  NOTIFY_RETRY_SECONDS: '1',
  NOTIFY_RETRY_MAX_SECONDS: '2',
};

beforeAll(async () => {
  storage = await withAzurite();
  github = await startGitHubFake({ token: SANDBOX_GITHUB_TOKEN });
  first = await startTestHost({ ...env, AzureWebJobsStorage: storage.connectionString }, [
    acrSlot,
    sharedGithub(),
    kubernetesSlot,
    monitorSlot,
  ]);
}, 120_000);
afterAll(async () => {
  await first?.stop();
  await second?.stop();
  await github?.stop();
  await storage?.stop();
});

async function push(host: LocalHost, n: number): Promise<string> {
  const event = {
    id: `outage-${n}`,
    eventType: 'Microsoft.ContainerRegistry.ImagePushed',
    dataVersion: '1.0',
    data: { target: { digest: digest(n), repository: 'tailspin-server', tag: commitOf(n) }, request: { host: 'tailspinacr.azurecr.io' } },
  };
  const body = (await (await postEvents(host, [event])).json()) as { results: { releaseId?: string }[] };
  const id = body.results[0]?.releaseId;
  if (!id) throw new Error(`expected a release, got ${JSON.stringify(body)}`);
  return id;
}

const phaseOf = async (host: LocalHost, id: string) => ((await (await api(host, `/deployments/${id}`)).json()) as { phase: string }).phase;
const backlog = async (host: LocalHost) =>
  ((await (await api(host, '/health')).json()) as { notifications?: { pending?: number; oldestSince?: string } }).notifications;
const failedCalls = (op: string) => github.calls.filter((c) => c.operationId === op && c.status === 503).length;
const deploymentOf = (id: string) => github.state.deployments.find((d) => (d.payload as { releaseId?: string }).releaseId === id);

describe('GitHub down during a rollback', { timeout: 180_000 }, () => {
  it('the notices are retried past six tries, survive a restart, show as a backlog, and arrive when GitHub is back', async () => {
    const host = first!;
    const good = await push(host, 1);
    await eventually(async () => ((await phaseOf(host, good)) === 'succeeded' ? true : undefined), 'a good release first', 60_000, 200);

    const kube = host.sandbox.find((s) => s.name === 'kubernetes')?.handle as FakeKubernetes;
    kube.setImageBehaviour(digest(2), 'crash');
    const bad = await push(host, 2);
    // GitHub goes down once the deploy is announced (its Deployment exists), before the rollback ends.
    await eventually(() => Promise.resolve(deploymentOf(bad) ? true : undefined), 'the GitHub Deployment of the bad release', 60_000, 20);
    github.outage(true);
    await eventually(async () => ((await phaseOf(host, bad)) === 'rolled_back' ? true : undefined), 'the rollback', 60_000, 200);

    // Far more than six tries: the rolling_back transition's one status, then one per retry of the ending.
    await eventually(
      () => Promise.resolve(failedCalls('repos/create-deployment-status') >= 9 ? true : undefined),
      'eight retries during the outage',
      60_000,
      200,
    );
    expect(await backlog(host)).toMatchObject({ pending: 1, oldestSince: expect.any(String) });
    expect(github.state.issues.filter((i) => (i.body ?? '').includes(digest(2)))).toHaveLength(0);

    // The deployer restarts while GitHub is still down; another host on the same storage carries on.
    await host.stop();
    first = undefined;
    second = await startTestHost({ ...env, AzureWebJobsStorage: storage.connectionString }, [sharedGithub()]);
    const tries = failedCalls('repos/create-deployment-status');
    await eventually(
      () => Promise.resolve(failedCalls('repos/create-deployment-status') > tries ? true : undefined),
      'the new host retrying',
      60_000,
      200,
    );
    github.outage(false);

    await eventually(async () => ((await backlog(second!))?.pending === 0 ? true : undefined), 'the backlog to drain', 60_000, 200);
    expect(github.state.issues.filter((i) => (i.body ?? '').includes(digest(2)))).toHaveLength(1);
    expect(
      deploymentOf(bad)
        ?.statuses.map((s) => s.state)
        .at(-1),
    ).toBe('failure');
    expect(github.state.statuses.filter((s) => s.sha === commitOf(2) && s.context === 'tailspin-deployer/deploy-dev').at(-1)?.state).toBe(
      'failure',
    );
    const view = (await (await api(second, `/deployments/${bad}`)).json()) as { links: Record<string, string> };
    expect(view.links.issue).toMatch(/\/issues\/\d+$/);
  });
});
