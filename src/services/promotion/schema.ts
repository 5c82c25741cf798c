/** The stored promotion record, read back through zod like every other row (never trusted as it lies). */
import { z } from 'zod';
import { PROMOTION_STATES, type Promotion } from './model.js';

const str = z.string();
const opt = z.string().optional();

const Candidate = z.object({
  releaseId: str,
  app: str,
  environment: str,
  kind: z.enum(['image', 'manifest']),
  target: str,
  image: z.object({ registry: str, repository: str, digest: str, tag: opt }).optional(),
  commit: opt,
  manifestCommit: opt,
  succeededAt: str,
});

export const PromotionRecord = z.object({
  id: str,
  app: str,
  from: str,
  to: str,
  candidate: Candidate,
  state: z.enum(PROMOTION_STATES),
  requestedBy: str,
  requestedAt: str,
  comment: str,
  approvals: z.array(z.object({ by: str, at: str, comment: str, via: z.literal('github').optional() })),
  reason: opt,
  releaseId: opt,
  waitingFor: opt,
  events: z.array(
    z.object({
      at: str,
      what: z.enum(['requested', 'approved', 'rejected', 'stopped', 'superseded', 'promoted']),
      by: opt,
      comment: opt,
      via: z.literal('github').optional(),
    }),
  ),
  github: z
    .object({
      runId: z.number().int(),
      url: str,
      gate: z
        .object({ environment: str, answering: opt, answered: z.enum(['approved', 'rejected']).optional(), answeredAt: opt })
        .optional(),
      notCounted: z.array(z.object({ login: str, state: str, reason: str, at: str })).optional(),
    })
    .optional(),
  updatedAt: str,
});

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _same: Same<z.infer<typeof PromotionRecord>, Omit<Promotion, 'etag'>> = true;
