// The reviews port (team membership, approval runs, environment reviews, custom-gate answers) over
// HTTPS against the GitHub fake, whose routes are validated against GitHub's OpenAPI description.
import { describe, expect, it } from 'vitest';
import { createGitHub } from '../../../src/services/adapters/github/index.js';
import { mayApproveWithTeams } from '../../../src/services/promotion/teams.js';
import { fakeAndAdapter, REPO, TOKEN, value } from './harness.js';

async function setup() {
  const { fake } = await fakeAndAdapter();
  const { reviews } = createGitHub({ repository: REPO, baseUrl: fake.url, auth: { token: TOKEN }, ca: fake.ca });
  return { fake, reviews };
}

const policy = {
  kind: 'approval' as const,
  approvals: 1,
  approvers: ['github:octocat', 'github-team:tailspin/release-managers'],
  allowSelfApproval: false,
  soakSeconds: 0,
};
const gh = (login: string) => ({ principal: `github:${login}`, aliases: [], groups: [] });

describe('GitHub teams as approvers', () => {
  it('an active member is allowed; a pending invitation or no membership is not', async () => {
    const { fake, reviews } = await setup();
    fake.state.actions.setTeam('tailspin/release-managers', [{ login: 'hubot' }, { login: 'invitee', state: 'pending' }]);
    expect(value(await reviews.teamMembership('tailspin', 'release-managers', 'Hubot'))).toBe('active');
    expect(value(await reviews.teamMembership('tailspin', 'release-managers', 'invitee'))).toBe('pending');
    expect(value(await reviews.teamMembership('tailspin', 'release-managers', 'mallory'))).toBe('none');

    expect(await mayApproveWithTeams(gh('hubot'), policy, 'entra:alice@contoso.com', 'prod', reviews)).toEqual({ ok: true });
    expect(await mayApproveWithTeams(gh('invitee'), policy, 'entra:alice@contoso.com', 'prod', reviews)).toEqual({
      ok: false,
      reason: expect.stringContaining('github:invitee is not an allowed approver for prod'),
    });
    expect((await mayApproveWithTeams(gh('mallory'), policy, 'entra:alice@contoso.com', 'prod', reviews)).ok).toBe(false);
  });

  it('GitHub down: the approval is not counted and says why; named approvers and self-approval refusals do not ask GitHub', async () => {
    const { fake, reviews } = await setup();
    fake.state.actions.setTeam('tailspin/release-managers', [{ login: 'hubot' }]);
    fake.outage(true);
    const down = await mayApproveWithTeams(gh('hubot'), policy, 'entra:alice@contoso.com', 'prod', reviews);
    expect(down).toEqual({
      ok: false,
      unavailable: true,
      reason: expect.stringMatching(
        /approval by github:hubot was not counted: GitHub could not be asked whether hubot .*release-managers.*transient/,
      ),
    });
    const asked = fake.calls.length;
    expect(await mayApproveWithTeams(gh('octocat'), policy, 'entra:alice@contoso.com', 'prod', reviews)).toEqual({ ok: true });
    expect(await mayApproveWithTeams(gh('hubot'), policy, 'github:hubot', 'prod', reviews)).toMatchObject({
      ok: false,
      reason: 'github:hubot requested this promotion and prod does not allow self-approval',
    });
    expect(fake.calls.length).toBe(asked);
  });
});

describe('approval runs', () => {
  it('dispatches once per promotion (found again by its title), reads reviews, answers the custom gate', async () => {
    const { fake, reviews } = await setup();
    const req = { workflow: 'tailspin-promotion.yml', ref: 'main', promotionId: 'p-prod-r-abc-123456', environment: 'prod' };
    const run = value(await reviews.ensureApprovalRun(req));
    expect(value(await reviews.ensureApprovalRun(req))).toEqual(run);
    expect(fake.state.actions.runs).toHaveLength(1);
    expect(fake.state.actions.runs[0]).toMatchObject({ inputs: { promotion: req.promotionId, environment: 'prod' }, ref: 'main' });

    expect(value(await reviews.reviews(run.runId))).toEqual([]);
    fake.state.actions.review(run.runId, 'octocat', 'approved', 'ship it', new Date().toISOString());
    expect(value(await reviews.reviews(run.runId))).toEqual([
      { login: 'octocat', state: 'approved', comment: 'ship it', environments: ['prod'] },
    ]);
    value(await reviews.answerGate(run.runId, 'prod', 'approved', 'promoted: release r-1'));
    expect(fake.state.actions.runs[0]?.gateAnswers).toEqual([
      expect.objectContaining({ environment: 'prod', state: 'approved', comment: 'promoted: release r-1' }),
    ]);
    expect(await reviews.reviews(424242)).toMatchObject({ ok: false, error: { kind: 'not-found' } });
  });
});
