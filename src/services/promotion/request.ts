/** The promotion API's request bodies, validated field by field so a 400 can name the field. */
import { z } from 'zod';
import { DNS_LABEL, RELEASE_ID } from '../domain/release.js';
import { PROMOTION_STATES } from './model.js';

export const PromotionRequest = z
  .object({
    app: z.string().regex(DNS_LABEL, 'must be an app name from the catalog (or k8s for manifests)'),
    environment: z.string().regex(DNS_LABEL, 'must be the environment to promote into'),
    /** Default: what runs verified upstream now. */
    releaseId: z.string().regex(RELEASE_ID, 'must be a release id (r-…) of the upstream environment').optional(),
    comment: z.string().trim().max(500).default(''),
  })
  .strict();

export const PromotionDecision = z
  .object({ comment: z.string().trim().min(1, 'say why (it goes into the promotion and the release timeline)').max(500) })
  .strict();

export const PromotionQuery = z.object({
  state: z.enum(PROMOTION_STATES).optional(),
  app: z.string().regex(DNS_LABEL, 'not a valid app name').optional(),
  environment: z.string().regex(DNS_LABEL, 'not a valid environment name').optional(),
});
