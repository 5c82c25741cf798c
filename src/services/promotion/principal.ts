/**
 * Who may approve: principals as configured (`entra:alice@contoso.com`, `entra:<object id>`,
 * `entra-group:<object id>`, `github:octocat`, `github-team:<org>/<slug>`) against the identity a
 * request carries. Pure: team memberships are looked up beforehand (./teams.ts) and carried in `teams`.
 */
import type { PromotionPolicy } from './graph.js';

export interface Identity {
  /** The canonical name recorded in timelines: "entra:<name>" or "github:<login>". */
  principal: string;
  /** Other names of the same person (the Entra object id). */
  aliases: string[];
  /** Entra group object ids from the token's groups claim. */
  groups: string[];
  /** GitHub teams (`<org>/<slug>`) this person is an active member of, as GitHub answered for this decision. */
  teams?: string[];
}

const norm = (s: string) => s.toLowerCase();
export const GITHUB_TEAM = 'github-team:';

/** Every name the identity answers to, lowercase (Entra UPNs and GitHub logins are case-insensitive). */
export const namesOf = (who: Identity): string[] => [who.principal, ...who.aliases].map(norm);

export function isAllowed(who: Identity, approvers: string[]): boolean {
  const names = new Set(namesOf(who));
  const groups = new Set(who.groups.map(norm));
  const teams = new Set((who.teams ?? []).map(norm));
  return approvers.some((a) => {
    const p = norm(a);
    if (p.startsWith('entra-group:')) return groups.has(p.slice('entra-group:'.length));
    if (p.startsWith(GITHUB_TEAM)) return teams.has(p.slice(GITHUB_TEAM.length));
    return names.has(p);
  });
}

export type ApprovalCheck = { ok: true } | { ok: false; reason: string };

/** May this identity approve a promotion that `requestedBy` asked for, under this policy? */
export function mayApprove(
  who: Identity,
  policy: Extract<PromotionPolicy, { kind: 'approval' }>,
  requestedBy: string,
  env: string,
): ApprovalCheck {
  if (!policy.allowSelfApproval && namesOf(who).includes(norm(requestedBy)))
    return { ok: false, reason: `${who.principal} requested this promotion and ${env} does not allow self-approval` };
  if (!isAllowed(who, policy.approvers))
    return { ok: false, reason: `${who.principal} is not an allowed approver for ${env} (allowed: ${policy.approvers.join(', ')})` };
  return { ok: true };
}
