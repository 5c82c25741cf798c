/**
 * One look at a pending promotion: stop it, let a newer release take its place, keep waiting (soak,
 * approvals, a freeze window) or promote now. Pure: the promotion, the policy and the facts in.
 */
import type { Release } from '../domain/release.js';
import type { AdapterError, Result } from '../domain/result.js';
import { frozenUntil } from './cron.js';
import { eligibility, type EligibilityFacts } from './eligibility.js';
import type { Environment } from './graph.js';
import type { Promotion } from './model.js';
import type { FiringAlert } from './ports.js';

export interface PromotionFacts extends EligibilityFacts {
  /** Releases of the app in the upstream environment created since the candidate succeeded. */
  upstreamSince: Release[];
  /** Alerts firing on the upstream environment's resources (absent when it names none), or why they are unknown. */
  upstreamAlerts?: Result<FiringAlert[], AdapterError>;
}

export type Assessment =
  /** `already`: the target has the candidate as this release (perhaps this promotion's own, admitted before a crash). */
  | { kind: 'stop'; reason: string; already?: string }
  | { kind: 'supersede'; by: string; reason: string }
  | { kind: 'wait'; for: string; until?: string }
  | { kind: 'promote' };

export function assessPromotion(p: Promotion, env: Environment, f: PromotionFacts, now: Date): Assessment {
  const policy = env.policy;
  if (!policy) return { kind: 'stop', reason: `${env.name} takes no promotions (no policy)` };
  // A rollback upstream first: it is why the candidate may no longer be what runs there.
  const rollback = upstreamRollback(p, f.upstreamSince);
  if (rollback) return { kind: 'stop', reason: rollback };
  const e = eligibility(p.candidate, f, env.name);
  if (!e.ok) {
    if (e.error.kind === 'superseded') return { kind: 'supersede', by: e.error.by, reason: e.error.reason };
    if (e.error.kind === 'already') return { kind: 'stop', reason: e.error.reason, already: e.error.releaseId };
    return { kind: 'stop', reason: e.error.reason };
  }
  const soakUntil = new Date(new Date(p.candidate.succeededAt).getTime() + policy.soakSeconds * 1000);
  if (soakUntil > now) return { kind: 'wait', for: `soak in ${p.from} until ${soakUntil.toISOString()}`, until: soakUntil.toISOString() };
  // An alert says something is wrong in the environment, not that the candidate is: wait for it to
  // resolve (a rollback it leads to stops the promotion above). Unknown is never taken for quiet.
  const alerts = alertHold(p.from, f.upstreamAlerts);
  if (alerts) return { kind: 'wait', for: alerts };
  if (policy.kind === 'approval') {
    const have = new Set(p.approvals.map((a) => a.by.toLowerCase())).size;
    if (have < policy.approvals) return { kind: 'wait', for: `approvals: ${have} of ${policy.approvals}` };
    return { kind: 'promote' };
  }
  // Freeze windows hold automatic promotion only; an approval is a person deciding.
  const open = frozenUntil(env.freezeCrons, now);
  if (!open) return { kind: 'wait', for: 'freeze window (frozen for at least the next 31 days)' };
  if (open > now) return { kind: 'wait', for: `freeze window until ${open.toISOString()}`, until: open.toISOString() };
  return { kind: 'promote' };
}

/**
 * A rollback upstream since the candidate succeeded: a manual rollback, or a release there that is rolling
 * back, was rolled back or failed. Read from what a listing carries (the release row: phase and outcome,
 * no timeline), so a rollback stops the promotion the moment it starts, not when it ends.
 */
function upstreamRollback(p: Promotion, since: Release[]): string | undefined {
  const after = new Date(p.candidate.succeededAt).getTime();
  for (const r of since) {
    if (r.id === p.candidate.releaseId || new Date(r.createdAt).getTime() < after) continue;
    if (r.kind === 'rollback')
      return `${p.from} was rolled back during the soak (release ${r.id}: ${r.source.reason ?? 'manual rollback'})`;
    if (r.phase === 'rolling_back') return `${p.from} is rolling back release ${r.id} during the soak (${whyRolledBack(r)})`;
    if (r.phase === 'rolled_back' || r.phase === 'failed')
      return `${p.from} rolled back release ${r.id} during the soak (${whyRolledBack(r)})`;
  }
  return undefined;
}

/** The rollback's own reason (set when rolling back starts), the failure that caused it, or the timeline's word when read whole. */
const whyRolledBack = (r: Release): string =>
  r.outcome.rollback?.reason ??
  r.outcome.failure?.reason ??
  [...r.timeline].reverse().find((t) => t.to === 'rolling_back')?.reason ??
  r.phase;

/** What the upstream alerts hold the promotion for, in words; undefined when none fires. */
function alertHold(from: string, alerts: PromotionFacts['upstreamAlerts']): string | undefined {
  if (!alerts) return undefined;
  if (!alerts.ok) return `alerts in ${from} unknown (${alerts.error.message}); not promoted on unknown`;
  const [first, ...more] = [...alerts.value].sort((a, b) => a.severity.localeCompare(b.severity) || a.firedAt.localeCompare(b.firedAt));
  if (!first) return undefined;
  const resource = first.target.split('/').at(-1) ?? first.target;
  return `alert "${first.name}" (${first.severity}) firing in ${from} on ${resource} since ${first.firedAt}${more.length ? ` (+${more.length} more)` : ''}`;
}
