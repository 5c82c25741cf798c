/**
 * Approvals from GitHub itself (docs/github-approvals.md), over azurite, the GitHub fake (every REST
 * call validated against GitHub's OpenAPI description) and the real webhook door (HMAC on the raw body,
 * the real HttpRequest): a pending prod promotion is mirrored as an approval run; a required reviewer's
 * decision, read back from GitHub's API, counts as a decision by github:<login> under the API's rules;
 * the deployer's protection rule is answered through the API when the promotion ends. Payloads are
 * GitHub's own examples or are held to GitHub's webhook schemas.
 */
import { randomUUID } from 'node:crypto';
import { HttpRequest, InvocationContext } from '@azure/functions';
import examples from '@octokit/webhooks-examples';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Azurite } from '../../../src/local/azurite.js';
import { createGitHub } from '../../../src/services/adapters/github/index.js';
import { startGitHubFake, type GitHubFake } from '../../../src/sandbox/github/server.js';
import { githubWebhookHandler } from '../../../src/functions/github-webhook.js';
import { createPromotionHandlers } from '../../../src/functions/promotions.js';
import { githubApprovalEvent } from '../../../src/services/promotion/github-events.js';
import { answerGate, githubTick } from '../../../src/services/promotion/github-approvals.js';
import { sign } from '../../../src/services/intake/signature.js';
import type { Intake } from '../../../src/services/intake/service.js';
import { decide, requestPromotion, type PromotionDeps } from '../../../src/services/promotion/service.js';
import type { Promotion } from '../../../src/services/promotion/model.js';
import { silentLogger } from '../../../src/services/logger.js';
import { withAzurite } from '../../helpers/azurite.js';
import { promotionWorld, succeeded } from '../../helpers/promotion-world.js';
import { webhookSchema } from '../../helpers/github-webhook-schema.js';

const APP = 'tailspin-server';
const REPO = 'tailspin/tailspin-toys';
const SECRET = 'test-webhook-secret-0123456789';
const WORKFLOW = 'tailspin-promotion.yml';
const graph = {
  environments: [
    { name: 'dev' },
    {
      name: 'prod',
      from: 'dev',
      policy: {
        kind: 'approval',
        approvals: 1,
        approvers: ['entra:bob@contoso.com', 'github:octocat', 'github-team:tailspin/release-managers'],
      },
    },
  ],
};

let azurite: Azurite;
let fake: GitHubFake;
beforeAll(async () => {
  [azurite, fake] = await Promise.all([withAzurite(), startGitHubFake({ repository: REPO })]);
});
afterAll(async () => Promise.all([azurite?.stop(), fake?.stop()]));
afterEach(() => {
  expect(fake.unexpected).toEqual([]);
});

async function world(requestedBy = 'entra:alice@contoso.com') {
  const { reviews } = createGitHub({ repository: REPO, baseUrl: fake.url, auth: { token: 't' }, ca: fake.ca });
  const w = promotionWorld(azurite, graph, new Date(), { github: { reviews, workflow: WORKFLOW, ref: 'main' } });
  const devId = await succeeded(w.store, APP, 'dev', Math.floor(Math.random() * 1e9), new Date());
  // prod has no soak: any moment after dev verified will do.
  w.clock.t = new Date(Date.now() + 1000);
  const out = await requestPromotion(w.d, { app: APP, to: 'prod', comment: 'ship it' }, requestedBy, silentLogger);
  if (out.kind !== 'created') throw new Error(`not created: ${out.kind}`);
  await githubTick(w.d, silentLogger);
  const p = await w.promotions.get(out.promotion.id);
  if (!p?.github) throw new Error('not mirrored');
  return { ...w, devId, id: p.id, runId: p.github.runId };
}

const webhook = (d: PromotionDeps) =>
  githubWebhookHandler({
    // Only approval events are sent here; a push reaching the intake would be a bug.
    intake: new Proxy({} as Intake, {
      get: () => () => {
        throw new Error('unexpected: intake');
      },
    }),
    logger: silentLogger,
    secrets: { current: SECRET },
    maxBodyBytes: 1 << 20,
    approvals: (delivery, event, payload, log) => githubApprovalEvent(d, delivery, event, payload, log),
  });

async function deliver(d: PromotionDeps, event: string, payload: unknown, opts: { delivery?: string; secret?: string | null } = {}) {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-github-event': event,
    'x-github-delivery': opts.delivery ?? randomUUID(),
  };
  if (opts.secret !== null) headers['x-hub-signature-256'] = sign(opts.secret ?? SECRET, body);
  const req = new HttpRequest({ method: 'POST', url: 'http://localhost/api/github/webhook', headers, body: { string: body } });
  const res = await webhook(d)(req, new InvocationContext({ invocationId: 'test', functionName: 'githubWebhook' }));
  return { status: res.status ?? 200, body: res.jsonBody as unknown };
}

const reviewExample = (examples as unknown as { name: string; examples: Record<string, unknown>[] }[]).find(
  (e) => e.name === 'deployment_review',
)!.examples[0]!;
/** GitHub's own deployment_review example (requested), made the decision GitHub sends for our run. */
function reviewEvent(runId: number, action: 'approved' | 'rejected', login = 'octocat') {
  const e = structuredClone(reviewExample) as Record<string, Record<string, unknown>>;
  const { reviewers: _r, requestor: _q, environment: _e, ...rest } = e;
  const payload = {
    ...rest,
    action,
    approver: { ...e.requestor, login },
    comment: 'looks good',
    workflow_run: { ...e.workflow_run, id: runId },
    repository: { ...e.repository, full_name: REPO },
  };
  const valid = webhookSchema(`deployment-review-${action}`);
  if (!valid(payload)) throw new Error(`not GitHub's shape: ${JSON.stringify(valid.errors?.slice(0, 3))}`);
  return payload;
}

function protectionRuleEvent(runId: number, environment = 'prod') {
  const deploymentExample = reviewExample as Record<string, Record<string, unknown>>;
  const payload = {
    action: 'requested',
    environment,
    event: 'workflow_dispatch',
    sha: 'a'.repeat(40),
    ref: 'refs/heads/main',
    deployment_callback_url: `https://api.github.com/repos/${REPO}/actions/runs/${runId}/deployment_protection_rule`,
    deployment: {
      url: `https://api.github.com/repos/${REPO}/deployments/1`,
      id: 1,
      node_id: 'DE_1',
      sha: 'a'.repeat(40),
      ref: 'main',
      task: 'deploy',
      payload: {},
      original_environment: environment,
      environment,
      description: null,
      creator: deploymentExample.sender,
      created_at: '2026-12-05T00:00:00Z',
      updated_at: '2026-12-05T00:00:00Z',
      statuses_url: `https://api.github.com/repos/${REPO}/deployments/1/statuses`,
      repository_url: `https://api.github.com/repos/${REPO}`,
    },
    pull_requests: [],
    repository: { ...deploymentExample.repository, full_name: REPO },
    sender: deploymentExample.sender,
    installation: { id: 1, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==' },
  };
  const valid = webhookSchema('deployment-protection-rule-requested');
  if (!valid(payload)) throw new Error(`not GitHub's shape: ${JSON.stringify(valid.errors?.slice(0, 3))}`);
  return payload;
}

const review = (runId: number, login: string, state: 'approved' | 'rejected', comment = 'lgtm') =>
  fake.state.actions.review(runId, login, state, comment, new Date().toISOString());
const runOf = (runId: number) => fake.state.actions.runs.find((r) => r.id === runId)!;

describe('a pending approval promotion mirrored to GitHub', () => {
  it('is one approval run per promotion, found again after a crash between dispatch and record', async () => {
    const w = await world();
    const runs = () => fake.state.actions.runs.filter((r) => r.inputs.promotion === w.id);
    expect(runs()).toHaveLength(1);
    expect(runs()[0]).toMatchObject({ workflow: WORKFLOW, ref: 'main', inputs: { environment: 'prod' } });
    await githubTick(w.d, silentLogger);
    expect(runs()).toHaveLength(1);

    // A worker dispatched and died before recording: the next look finds the run by its title.
    const { reviews } = createGitHub({ repository: REPO, baseUrl: fake.url, auth: { token: 't' }, ca: fake.ca });
    const devId = await succeeded(w.store, APP, 'dev', 0xc0ffee + Math.floor(Math.random() * 1e6), new Date());
    const id = `p-prod-${devId}`;
    const before = await reviews.ensureApprovalRun({ workflow: WORKFLOW, ref: 'main', promotionId: id, environment: 'prod' });
    const out = await requestPromotion(w.d, { app: APP, to: 'prod', comment: '' }, 'entra:alice@contoso.com', silentLogger);
    expect(out.kind).toBe('created');
    await githubTick(w.d, silentLogger);
    expect(fake.state.actions.runs.filter((r) => r.inputs.promotion === id)).toHaveLength(1);
    expect((await w.promotions.get(id))?.github?.runId).toBe(before.ok && before.value.runId);
  });
});

describe('a required reviewer decides in GitHub', () => {
  it('an allowed reviewer approves: counted as github:<login>, promoted, and the protection rule answered "approved"', async () => {
    const w = await world();
    const gate = await deliver(w.d, 'deployment_protection_rule', protectionRuleEvent(w.runId));
    expect(gate).toMatchObject({ status: 200, body: { promotion: w.id, state: 'pending' } });
    expect(runOf(w.runId).gateAnswers).toEqual([]);

    review(w.runId, 'octocat', 'approved', 'staging looks good');
    const res = await deliver(w.d, 'deployment_review', reviewEvent(w.runId, 'approved'));
    expect(res).toMatchObject({ status: 200, body: { promotion: w.id, state: 'promoted', counted: ['github:octocat approved'] } });
    const p = (await w.promotions.get(w.id)) as Promotion;
    expect(p.approvals).toEqual([expect.objectContaining({ by: 'github:octocat', comment: 'staging looks good', via: 'github' })]);
    expect(p.events.map((e) => [e.what, e.by, e.via])).toEqual([
      ['requested', 'entra:alice@contoso.com', undefined],
      ['approved', 'github:octocat', 'github'],
      ['promoted', undefined, undefined],
    ]);
    expect(w.enqueued.map((i) => i.releaseId)).toEqual([p.releaseId]);
    expect(runOf(w.runId).gateAnswers).toEqual([
      expect.objectContaining({ environment: 'prod', state: 'approved', comment: expect.stringContaining(`release ${p.releaseId}`) }),
    ]);
    expect(p.github?.gate).toMatchObject({ environment: 'prod', answered: 'approved' });
  });

  it('a member of an approving team counts; a reviewer not allowed, or the requester, is not counted and the rule is not approved', async () => {
    fake.state.actions.setTeam('tailspin/release-managers', [{ login: 'hubot' }]);
    const w = await world('github:octocat');
    await deliver(w.d, 'deployment_protection_rule', protectionRuleEvent(w.runId));
    review(w.runId, 'mallory', 'approved');
    review(w.runId, 'octocat', 'approved');
    const res = await deliver(w.d, 'deployment_review', reviewEvent(w.runId, 'approved', 'octocat'));
    expect(res.body).toMatchObject({
      state: 'pending',
      counted: [],
      notCounted: [
        { login: 'mallory', reason: expect.stringContaining('github:mallory is not an allowed approver for prod') },
        { login: 'octocat', reason: 'github:octocat requested this promotion and prod does not allow self-approval' },
      ],
    });
    let p = (await w.promotions.get(w.id)) as Promotion;
    expect(p.approvals).toEqual([]);
    expect(p.github?.notCounted?.map((n) => n.login)).toEqual(['mallory', 'octocat']);
    expect(runOf(w.runId).gateAnswers).toEqual([]);

    // The timer looks again: nothing new is counted twice, nothing refused is re-judged.
    await githubTick(w.d, silentLogger);
    expect((await w.promotions.get(w.id))?.github?.notCounted).toHaveLength(2);

    review(w.runId, 'hubot', 'approved', 'release manager says go');
    await githubTick(w.d, silentLogger);
    p = (await w.promotions.get(w.id)) as Promotion;
    expect(p).toMatchObject({ state: 'promoted', approvals: [expect.objectContaining({ by: 'github:hubot', via: 'github' })] });
    expect(runOf(w.runId).gateAnswers.map((a) => a.state)).toEqual(['approved']);
  });

  it('an allowed reviewer rejects: the promotion is rejected with who and why, and the rule answered "rejected"', async () => {
    const w = await world();
    await deliver(w.d, 'deployment_protection_rule', protectionRuleEvent(w.runId));
    review(w.runId, 'octocat', 'rejected', 'not during the sale');
    const res = await deliver(w.d, 'deployment_review', reviewEvent(w.runId, 'rejected'));
    expect(res.body).toMatchObject({ state: 'rejected', counted: ['github:octocat rejected'] });
    expect(await w.promotions.get(w.id)).toMatchObject({ state: 'rejected', reason: 'rejected by github:octocat: not during the sale' });
    expect(runOf(w.runId).gateAnswers).toEqual([
      expect.objectContaining({ state: 'rejected', comment: expect.stringContaining('rejected by github:octocat') }),
    ]);
    expect(w.enqueued).toEqual([]);
  });
});

describe('answering the protection rule', () => {
  it('is done once when the webhook and the timer look at the same moment', async () => {
    const w = await world();
    await deliver(w.d, 'deployment_protection_rule', protectionRuleEvent(w.runId));
    // Rejected through the API: ended, the rule not answered yet.
    const out = await decide(w.d, w.id, 'reject', { principal: 'entra:bob@contoso.com', aliases: [], groups: [] }, 'no', silentLogger);
    expect(out.kind).toBe('ok');
    const ended = (await w.promotions.get(w.id)) as Promotion;
    const gh = w.d.github!;
    // The review webhook's look and two instances' timer ticks, all holding the same snapshot.
    await Promise.all([answerGate(w.d, gh, ended, silentLogger), answerGate(w.d, gh, ended, silentLogger), githubTick(w.d, silentLogger)]);
    await githubTick(w.d, silentLogger);
    expect(await w.promotions.get(w.id)).toMatchObject({ state: 'rejected', github: { gate: { answered: 'rejected' } } });
    expect(runOf(w.runId).gateAnswers.map((a) => a.state)).toEqual(['rejected']);
  });

  it('GitHub got the request for a run before the dispatching worker recorded it: the run is recognised by its title', async () => {
    const w = await world();
    // Forget the recorded run, as if the worker died right after dispatching.
    const p = (await w.promotions.get(w.id)) as Promotion;
    const { github: _g, ...bare } = p;
    expect((await w.promotions.save(bare)).ok).toBe(true);
    const res = await deliver(w.d, 'deployment_protection_rule', protectionRuleEvent(w.runId));
    expect(res.body).toMatchObject({ promotion: w.id, state: 'pending' });
    expect((await w.promotions.get(w.id))?.github).toMatchObject({ runId: w.runId, gate: { environment: 'prod' } });
  });
});

describe('hostile and odd deliveries', () => {
  it('unsigned or forged: 401, nothing read or counted', async () => {
    const w = await world();
    review(w.runId, 'octocat', 'approved');
    const calls = fake.calls.length;
    expect((await deliver(w.d, 'deployment_review', reviewEvent(w.runId, 'approved'), { secret: null })).status).toBe(401);
    expect((await deliver(w.d, 'deployment_review', reviewEvent(w.runId, 'approved'), { secret: 'not-the-secret-0000' })).status).toBe(401);
    expect(fake.calls.length).toBe(calls);
    expect((await w.promotions.get(w.id))?.state).toBe('pending');
  });

  it("an approval the run does not hold in GitHub (the event lies) counts nothing: GitHub's review log decides", async () => {
    const w = await world();
    const res = await deliver(w.d, 'deployment_review', reviewEvent(w.runId, 'approved'));
    expect(res.body).toMatchObject({ state: 'pending', counted: [] });
    expect((await w.promotions.get(w.id))?.approvals).toEqual([]);
  });

  it('an event for a run the deployer did not start, another repository or another environment is ignored with the reason', async () => {
    const w = await world();
    expect((await deliver(w.d, 'deployment_review', reviewEvent(424242, 'approved'))).body).toEqual({
      ignored: 'no promotion is mirrored to workflow run 424242',
    });
    const other = { ...reviewEvent(w.runId, 'approved'), repository: { ...(reviewExample.repository as object), full_name: 'evil/repo' } };
    expect((await deliver(w.d, 'deployment_review', other)).body).toEqual({
      ignored: 'repository evil/repo is not deployed here (configured: tailspin/tailspin-toys)',
    });
    expect((await deliver(w.d, 'deployment_protection_rule', protectionRuleEvent(w.runId, 'staging'))).body).toEqual({
      ignored: `workflow run ${w.runId} is promotion ${w.id} into prod, not staging`,
    });
    const bad = { ...protectionRuleEvent(w.runId), deployment_callback_url: 'https://evil.example/steal' };
    expect(await deliver(w.d, 'deployment_protection_rule', bad)).toMatchObject({
      status: 400,
      body: { error: expect.stringContaining('deployment_callback_url') },
    });
  });

  it('a replayed delivery is a duplicate; the same decision delivered again is counted once', async () => {
    const w = await world();
    review(w.runId, 'octocat', 'approved');
    const event = reviewEvent(w.runId, 'approved');
    const delivery = randomUUID();
    const first = await deliver(w.d, 'deployment_review', event, { delivery });
    expect(first.body).toMatchObject({ state: 'promoted' });
    expect(await deliver(w.d, 'deployment_review', event, { delivery })).toEqual({ status: 200, body: { duplicate: true } });
    await deliver(w.d, 'deployment_review', event);
    const p = (await w.promotions.get(w.id)) as Promotion;
    expect(p.events.filter((e) => e.what === 'approved')).toHaveLength(1);
    expect(w.enqueued).toHaveLength(1);
  });
});

describe('team approvers through the API', () => {
  it('GitHub down: 503 with the reason, the approval not counted; a later try counts', async () => {
    fake.state.actions.setTeam('tailspin/release-managers', [{ login: 'hubot' }]);
    const w = await world();
    const h = createPromotionHandlers(w.d).decision('approve');
    const approve = () =>
      h(
        new HttpRequest({
          method: 'POST',
          url: `http://localhost/api/promotions/${w.id}/approve`,
          params: { id: w.id },
          headers: { 'content-type': 'application/json', 'x-ms-client-principal-name': 'hubot', 'x-ms-client-principal-idp': 'github' },
          body: { string: JSON.stringify({ comment: 'go' }) },
        }),
        new InvocationContext({ invocationId: 't', functionName: 'approvePromotion' }),
      );
    fake.outage(true);
    const down = await approve();
    fake.outage(false);
    expect(down.status).toBe(503);
    expect(down.headers).toMatchObject({ 'retry-after': '30' });
    expect((down.jsonBody as { error: string }).error).toMatch(/approval by github:hubot was not counted: GitHub could not be asked/);
    expect((await w.promotions.get(w.id))?.approvals).toEqual([]);
    const up = await approve();
    expect(up.status).toBe(200);
    expect((await w.promotions.get(w.id))?.state).toBe('promoted');
  });
});
