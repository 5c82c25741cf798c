/** The manual door's request body, validated field by field so a 400 can name the field. */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DNS_LABEL as NAME, RELEASE_ID } from '../domain/release.js';

export const ManualRequest = z
  .object({
    app: z.string().regex(NAME, 'must be an app name from the catalog (lowercase letters, digits, dashes)'),
    environment: z.string().regex(NAME, 'must be an environment name (lowercase letters, digits, dashes)'),
    action: z.enum(['deploy', 'redeploy', 'rollback']),
    image: z.string().max(512).optional(),
    /** rollback only: the verified release to go back to (default: the last verified one). */
    to: z.string().regex(RELEASE_ID, 'must be a release id (r-…)').optional(),
    reason: z.string().trim().min(1, 'say why (it goes into the timeline, statuses and issues)').max(500),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.action === 'deploy' && !v.image) ctx.addIssue({ code: 'custom', path: ['image'], message: 'is required for action "deploy"' });
    if (v.action !== 'deploy' && v.image) ctx.addIssue({ code: 'custom', path: ['image'], message: `is not used by action "${v.action}"` });
    if (v.action !== 'rollback' && v.to) ctx.addIssue({ code: 'custom', path: ['to'], message: `is not used by action "${v.action}"` });
  });
export type ManualRequest = z.infer<typeof ManualRequest>;

export function describeZodError(e: z.ZodError): string {
  return e.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

/**
 * What identifies a request under one Idempotency-Key: its validated fields (reason trimmed),
 * keys in a fixed order, hashed — so whitespace and key order do not make a "different body".
 */
export function requestFingerprint(req: ManualRequest): string {
  const canonical = JSON.stringify([req.app, req.environment, req.action, req.image ?? null, req.reason]);
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}
