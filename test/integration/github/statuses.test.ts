import { describe, expect, it } from 'vitest';
import { githubSpec } from '../../../src/sandbox/github/spec.js';
import { COMMIT, fakeAndAdapter, value } from './harness.js';

describe('commit statuses', () => {
  it('creates a status once and skips an identical repeat (ensure semantics)', async () => {
    const { fake, gh } = await fakeAndAdapter();
    value(await gh.setCommitStatus(COMMIT, 'tailspin/dev', 'pending', 'scanning', 'https://deployer/r/1'));
    value(await gh.setCommitStatus(COMMIT, 'tailspin/dev', 'pending', 'scanning', 'https://deployer/r/1'));
    expect(fake.state.statuses).toHaveLength(1);
    value(await gh.setCommitStatus(COMMIT, 'tailspin/dev', 'success', 'verified'));
    expect(fake.state.statuses.map((s) => s.state)).toEqual(['pending', 'success']);
    // the extra GET per call is the price of not duplicating
    expect(fake.calls.map((c) => c.operationId)).toEqual([
      'repos/list-commit-statuses-for-ref',
      'repos/create-commit-status',
      'repos/list-commit-statuses-for-ref',
      'repos/list-commit-statuses-for-ref',
      'repos/create-commit-status',
    ]);
  });

  it('reads recorded GitHub status lists: skips when the recorded latest matches, posts otherwise', async () => {
    const { sharedJson } = await import('../../helpers/fixtures.js');
    const { fake, gh } = await fakeAndAdapter();
    const recorded = sharedJson<{ method: string; response: unknown }[]>(
      'github-api',
      'octokit-fixtures__create-status.normalized-fixture.json',
    );
    const list = recorded.find((e) => e.method === 'get' && Array.isArray(e.response))!.response;
    fake.respondNext('repos/list-commit-statuses-for-ref', { status: 200, body: list });
    value(await gh.setCommitStatus(COMMIT, 'example/2', 'success', 'create-status success test', 'https://example.com'));
    expect(fake.calls.map((c) => c.operationId)).toEqual(['repos/list-commit-statuses-for-ref']);
    fake.respondNext('repos/list-commit-statuses-for-ref', { status: 200, body: list });
    fake.respondNext('repos/create-commit-status', {
      status: 201,
      body: sharedJson('github-api', 'octokit-fixtures__create-status-failure.response.extracted.json'),
    });
    value(await gh.setCommitStatus(COMMIT, 'example/2', 'failure', 'now failing'));
    expect(fake.calls.at(-1)).toMatchObject({ operationId: 'repos/create-commit-status', status: 201 });
  });

  it("truncates descriptions to GitHub's 140 characters", async () => {
    const { fake, gh } = await fakeAndAdapter();
    value(await gh.setCommitStatus(COMMIT, 'ctx', 'failure', 'x'.repeat(500)));
    expect(fake.state.statuses[0]?.description).toHaveLength(140);
  });

  it("serves statuses whose shape validates against the operation's response schema", async () => {
    const { fake, gh } = await fakeAndAdapter();
    value(await gh.setCommitStatus(COMMIT, 'ctx', 'error', 'boom'));
    const res = await fetchJson(fake.url, fake.ca, `/repos/tailspin/tailspin-toys/commits/${COMMIT}/statuses`);
    const { api } = await githubSpec();
    expect(api.validateResponse(res, 'repos/list-commit-statuses-for-ref', 200).errors ?? []).toEqual([]);
    const combined = await fetchJson(fake.url, fake.ca, `/repos/tailspin/tailspin-toys/commits/${COMMIT}/status`);
    expect(api.validateResponse(combined, 'repos/get-combined-status-for-ref', 200).errors ?? []).toEqual([]);
    expect(combined).toMatchObject({ state: 'failure', total_count: 1 });
  });
});

describe('deployments', () => {
  it('creates a deployment and walks its statuses; success makes the previous one inactive', async () => {
    const { fake, gh } = await fakeAndAdapter();
    const first = value(
      await gh.createDeployment({ ref: COMMIT, environment: 'prod', description: 'release r1', payload: { releaseId: 'r1' } }),
    );
    value(await gh.setDeploymentStatus(first.id, 'in_progress', 'deploying'));
    value(await gh.setDeploymentStatus(first.id, 'success', 'verified', 'https://tailspin.example', 'https://deployer/r1'));
    const second = value(
      await gh.createDeployment({ ref: COMMIT, environment: 'prod', description: 'release r2', payload: { releaseId: 'r2' } }),
    );
    value(await gh.setDeploymentStatus(second.id, 'success', 'verified'));

    const [d1, d2] = fake.state.deployments;
    expect(d1).toMatchObject({
      environment: 'prod',
      productionEnvironment: true,
      transientEnvironment: false,
      payload: { releaseId: 'r1' },
    });
    expect(d1?.statuses.map((s) => s.state)).toEqual(['in_progress', 'success', 'inactive']);
    expect(d1?.statuses[1]).toMatchObject({ environmentUrl: 'https://tailspin.example', logUrl: 'https://deployer/r1' });
    expect(d2?.statuses.map((s) => s.state)).toEqual(['success']);

    const { api } = await githubSpec();
    const listed = await fetchJson(fake.url, fake.ca, `/repos/tailspin/tailspin-toys/deployments/${first.id}/statuses`);
    expect(api.validateResponse(listed, 'repos/list-deployment-statuses', 200).errors ?? []).toEqual([]);
    const dep = await fetchJson(fake.url, fake.ca, `/repos/tailspin/tailspin-toys/deployments/${first.id}`);
    expect(api.validateResponse(dep, 'repos/get-deployment', 200).errors ?? []).toEqual([]);
  });

  it("reads the deployment id from GitHub's documented deployment object", async () => {
    const { sharedJson } = await import('../../helpers/fixtures.js');
    const { fake, gh } = await fakeAndAdapter();
    const recorded = sharedJson<{ id: number }>('github-api', 'openapi-example__deployment.json');
    fake.respondNext('repos/create-deployment', { status: 201, body: recorded });
    expect(value(await gh.createDeployment({ ref: 'main', environment: 'dev', description: 'd', payload: {} }))).toEqual({
      id: recorded.id,
    });
  });

  it('treats 202 "Auto-merged" (nothing created) as transient', async () => {
    const { fake, gh } = await fakeAndAdapter();
    fake.respondNext('repos/create-deployment', { status: 202, body: { message: 'Auto-merged main into topic-branch on deployment.' } });
    const r = await gh.createDeployment({ ref: 'topic-branch', environment: 'dev', description: 'd', payload: {} });
    expect(r).toMatchObject({ ok: false, error: { kind: 'transient', status: 202 } });
  });
});

async function fetchJson(base: string, ca: string, path: string): Promise<unknown> {
  const { fetchTrusting } = await import('../../../src/services/adapters/github/index.js');
  const res = await fetchTrusting(ca)(`${base}${path}`, { headers: { authorization: 'token test-token-0123456789' } });
  return res.json();
}
