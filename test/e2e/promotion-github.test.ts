/**
 * Approvals from GitHub through the local host and its sandbox (docs/github-approvals.md): the prod
 * promotion is mirrored as an approval run in the GitHub fake, which calls the host back like GitHub
 * (deployment_protection_rule, then deployment_review, signed with the webhook secret). A reviewer not
 * allowed is not counted; an allowed one deploys the same digest to prod, and the deployer answers its
 * protection rule "approved" through the API. Every delivery the fake sent is held to GitHub's schemas.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHost } from '../../src/local/host.js';
import { startSlots } from '../../src/sandbox/index.js';
import type { GitHubFake } from '../../src/sandbox/github/server.js';
import { fetchTrusting } from '../../src/services/adapters/github/index.js';
import { promotionId } from '../../src/services/promotion/model.js';
import { api, eventually, startTestHost } from '../helpers/host.js';
import { digest, pinned, pushImage, settle } from '../helpers/releases.js';
import { webhookSchema } from '../helpers/github-webhook-schema.js';

const APP = 'tailspin-server';
let host: LocalHost;
let github: GitHubFake;

beforeAll(async () => {
  host = await startTestHost(
    {
      ROLLOUT_POLL_SECONDS: '1',
      ROLLOUT_DEADLINE_SECONDS: '20',
      VERIFY_WINDOW_SECONDS: '3',
      VERIFY_INTERVAL_SECONDS: '1',
      VERIFY_MIN_REQUESTS: '10',
      SCAN_POLL_SECONDS: '1',
      SMOKE_RETRIES: '1',
      SANDBOX_KUBE_TIME_SCALE: '0.1',
      SANDBOX_SOAK_SECONDS: '1',
      SANDBOX_PROD_SOAK_SECONDS: '0',
      PROMOTION_SCHEDULE: '*/1 * * * * *',
    },
    startSlots,
  );
  github = host.sandbox.find((s) => s.name === 'github')?.handle as GitHubFake;
}, 120_000);
afterAll(async () => host?.stop());

interface PromotionView {
  id: string;
  state: string;
  releaseId?: string;
  approvals: { by: string; comment: string; via?: string }[];
  github?: { runId: number; gate?: { answered?: string }; notCounted?: { login: string; reason: string }[] };
}
const promotion = async (id: string) => (await (await api(host, `/promotions/${id}`)).json()) as PromotionView;
const sandbox = (path: string, body: unknown) =>
  fetchTrusting(github.ca)(`${github.url}${path}`, { method: 'POST', body: JSON.stringify(body) });

describe('a prod promotion approved in GitHub', () => {
  it('mirrored as an approval run; a reviewer not allowed is not counted; an allowed reviewer deploys the same digest', async () => {
    const devId = await pushImage(host, 0x18d);
    expect((await settle(host, devId)).phase).toBe('succeeded');
    const staging = await eventually(
      async () => ((p) => (p.state === 'promoted' ? p : undefined))(await promotion(promotionId('staging', devId))),
      'staging to take the release',
      60_000,
      250,
    );
    const stagingId = staging.releaseId!;
    expect((await settle(host, stagingId)).phase).toBe('succeeded');

    const requested = await api(host, '/promotions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-ms-client-principal-name': 'alice@contoso.com' },
      body: JSON.stringify({ app: APP, environment: 'prod', comment: 'ship it' }),
    });
    expect(requested.status).toBe(202);
    const id = promotionId('prod', stagingId);

    // The promoter timer dispatches the approval run; GitHub asks the deployer's protection rule about it.
    const run = await eventually(
      () => Promise.resolve(github.state.actions.runs.find((r) => r.inputs.promotion === id)),
      'the approval run',
      20_000,
      100,
    );
    expect(run).toMatchObject({ workflow: 'tailspin-promotion.yml', title: `tailspin promotion ${id}`, inputs: { environment: 'prod' } });
    await eventually(
      async () => ((p) => (p.github?.runId === run.id ? p : undefined))(await promotion(id)),
      'the run to be recorded',
      20_000,
      100,
    );

    // mallory is a required reviewer in GitHub but not an allowed approver for the deployer.
    expect((await sandbox('/_sandbox/reviews', { runId: run.id, login: 'mallory', state: 'approved', comment: 'yolo' })).status).toBe(200);
    const refused = await eventually(
      async () => ((p) => (p.github?.notCounted?.length ? p : undefined))(await promotion(id)),
      'mallory not to be counted',
      20_000,
      100,
    );
    expect(refused).toMatchObject({ state: 'pending', approvals: [] });
    expect(refused.github?.notCounted).toEqual([
      expect.objectContaining({ login: 'mallory', reason: expect.stringContaining('github:mallory is not an allowed approver for prod') }),
    ]);
    expect(run.gateAnswers).toEqual([]);

    expect(
      (await sandbox('/_sandbox/reviews', { runId: run.id, login: 'octocat', state: 'approved', comment: 'staging dashboards are green' }))
        .status,
    ).toBe(200);
    const promoted = await eventually(
      async () => ((p) => (p.state === 'promoted' && p.github?.gate?.answered ? p : undefined))(await promotion(id)),
      'the promotion and the gate answer',
      30_000,
      100,
    );
    expect(promoted.approvals).toEqual([
      expect.objectContaining({ by: 'github:octocat', comment: 'staging dashboards are green', via: 'github' }),
    ]);
    expect(run.gateAnswers).toEqual([expect.objectContaining({ environment: 'prod', state: 'approved' })]);
    const prod = await settle(host, promoted.releaseId!);
    expect(prod).toMatchObject({ phase: 'succeeded', image: pinned(0x18d) });
    expect(prod.timeline[0]?.reason).toContain('approved by github:octocat (“staging dashboards are green”)');
    expect(prod.image).toContain(digest(0x18d));

    // What the fake sent is what GitHub sends, and the host took every delivery.
    const sent = github.webhookDeliveries.filter(
      (d) =>
        d.payload.deployment_callback_url?.toString().includes(`/${run.id}/`) ||
        (d.payload.workflow_run as { id?: number } | undefined)?.id === run.id,
    );
    expect(sent.map((d) => [d.event, d.status])).toEqual([
      ['deployment_protection_rule', 200],
      ['deployment_review', 200],
      ['deployment_review', 200],
    ]);
    for (const d of sent) {
      const valid = webhookSchema(
        d.event === 'deployment_review' ? `deployment-review-${String(d.payload.action)}` : 'deployment-protection-rule-requested',
      );
      expect(valid(d.payload) ? [] : valid.errors).toEqual([]);
    }
    expect(github.unexpected).toEqual([]);
  }, 240_000);
});
