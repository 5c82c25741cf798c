/**
 * Kubernetes calls in the image steps (deploying, rolling_back): which failures are final and how
 * that reads in the timeline. Only invalid, not-found and auth are final — asking again changes
 * nothing; everything else (transient, rate-limited, a conflict with another writer) is asked
 * again until the step's deadline.
 */
import type { AdapterError, AdapterErrorKind } from '../../domain/result.js';
import type { WaitOn } from '../../domain/release.js';
import type { Decision } from '../decision.js';
import { retryUntil, type StepContext } from './common.js';

const FINAL: readonly AdapterErrorKind[] = ['invalid', 'not-found', 'auth'];

export const isFinal = (e: Pick<AdapterError, 'kind'>): boolean => FINAL.includes(e.kind);

/** A final error says so ("forbidden (auth: final, not retried)"); one that ran out of time keeps its message. */
export const failureText = (e: AdapterError): string => (isFinal(e) ? `${e.message} (${e.kind}: final, not retried)` : e.message);

/** retryUntil for the cluster: a conflict is retried like a transient error (the next look sees what the other writer did). */
export function retryKube(
  c: StepContext,
  e: AdapterError,
  w: { on: WaitOn; for: string; deadline: Date; pollSeconds?: number },
  otherwise: (e: AdapterError) => Decision | Promise<Decision>,
): Promise<Decision> {
  const asked = e.kind === 'conflict' ? { ...e, kind: 'transient' as const } : e;
  return retryUntil(c, asked, w, () => otherwise(e));
}
