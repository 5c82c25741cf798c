import { describe, expect, it } from 'vitest';
import { PromotionGraphSpec } from '../../../src/services/promotion/graph.js';
import { isAllowed, mayApprove } from '../../../src/services/promotion/principal.js';

const graph = (approvers: string[], approvals = 1) =>
  PromotionGraphSpec.safeParse({
    environments: [{ name: 'dev' }, { name: 'prod', from: 'dev', policy: { kind: 'approval', approvals, approvers } }],
  });

describe('github-team approvers', () => {
  it('are accepted in the graph as github-team:<org>/<slug>, and count like groups (any number of people)', () => {
    expect(graph(['github-team:tailspin/release-managers'], 2).success).toBe(true);
    const bad = graph(['github-team:tailspin'], 1);
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toContain('github-team:<org>/<team slug>');
    expect(graph(['github-team:tailspin/Release Managers']).success).toBe(false);
  });

  it('allow only an identity whose active teams were looked up and include the team (case-insensitive)', () => {
    const approvers = ['github-team:Tailspin/release-managers'];
    const hubot = { principal: 'github:hubot', aliases: [], groups: [] };
    expect(isAllowed(hubot, approvers)).toBe(false);
    expect(isAllowed({ ...hubot, teams: ['tailspin/release-managers'] }, approvers)).toBe(true);
    expect(isAllowed({ ...hubot, teams: ['tailspin/other'] }, approvers)).toBe(false);
    // An Entra group of the same text is not a team.
    expect(isAllowed({ ...hubot, groups: ['tailspin/release-managers'] }, approvers)).toBe(false);
    const policy = { kind: 'approval' as const, approvals: 1, approvers, allowSelfApproval: false, soakSeconds: 0 };
    expect(mayApprove({ ...hubot, teams: ['tailspin/release-managers'] }, policy, 'github:hubot', 'prod').ok).toBe(false);
  });
});
