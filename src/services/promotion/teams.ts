/**
 * Approvers named `github-team:<org>/<slug>`: GitHub is asked, at the moment of the decision, whether
 * the GitHub person deciding is an *active* member (`GET /orgs/{org}/teams/{team_slug}/memberships/{username}`;
 * a pending invitation is not membership). Only asked when the person is not already allowed by name
 * and is not refused for self-approval. GitHub unreachable → the approval is not counted and the
 * caller is told why (never guessed either way).
 */
import type { PromotionPolicy } from './graph.js';
import type { GitHubReviews } from './github-port.js';
import { GITHUB_TEAM, mayApprove, type ApprovalCheck, type Identity } from './principal.js';

export type TeamApprovalCheck = ApprovalCheck | { ok: false; unavailable: true; reason: string };

const MAX_TEAMS_ASKED = 10;

const githubLogin = (who: Identity): string | undefined =>
  [who.principal, ...who.aliases].find((n) => n.toLowerCase().startsWith('github:'))?.slice('github:'.length);

export async function mayApproveWithTeams(
  who: Identity,
  policy: Extract<PromotionPolicy, { kind: 'approval' }>,
  requestedBy: string,
  env: string,
  github: GitHubReviews | undefined,
): Promise<TeamApprovalCheck> {
  const first = mayApprove(who, policy, requestedBy, env);
  const teams = policy.approvers.filter((a) => a.toLowerCase().startsWith(GITHUB_TEAM)).map((a) => a.slice(GITHUB_TEAM.length));
  const login = githubLogin(who);
  // Allowed by name, refused as the requester, or nothing a team could change: GitHub is not asked.
  if (first.ok || teams.length === 0 || !login || !github || isSelfRefusal(who, policy, requestedBy)) return first;
  const active: string[] = [];
  for (const team of teams.slice(0, MAX_TEAMS_ASKED)) {
    const [org = '', slug = ''] = team.split('/');
    const m = await github.teamMembership(org, slug, login);
    if (!m.ok)
      return {
        ok: false,
        unavailable: true,
        reason: `the approval by ${who.principal} was not counted: GitHub could not be asked whether ${login} is an active member of github-team:${team} (${m.error.kind}: ${m.error.message}); try again`,
      };
    if (m.value === 'active') {
      active.push(team);
      break;
    }
  }
  return mayApprove({ ...who, teams: active }, policy, requestedBy, env);
}

function isSelfRefusal(who: Identity, policy: Extract<PromotionPolicy, { kind: 'approval' }>, requestedBy: string): boolean {
  return !policy.allowSelfApproval && [who.principal, ...who.aliases].some((n) => n.toLowerCase() === requestedBy.toLowerCase());
}
