/**
 * A release that verifies several apps (a manifest release) gets one decision per app — one
 * app's errors must not be diluted by another's traffic — and ends by the most urgent of them:
 * any breach rolls back; anything still observing keeps observing; then inconclusive; all healthy
 * passes. Each app spends its own α, so k apps can be rolled back wrongly up to k·α.
 */
import type { VerificationDecision, VerificationOutcome } from './decide.js';

const URGENCY: Record<VerificationOutcome, number> = { breach: 3, continue: 2, inconclusive: 1, healthy: 0 };

export function combineDecisions<K extends string>(
  perApp: Record<K, VerificationDecision>,
): { app: K; decision: VerificationDecision } | undefined {
  let worst: { app: K; decision: VerificationDecision } | undefined;
  for (const app of Object.keys(perApp) as K[]) {
    const decision = perApp[app];
    if (!worst || URGENCY[decision.outcome] > URGENCY[worst.decision.outcome]) worst = { app, decision };
  }
  return worst;
}
