/** A message of the admission queue, checked like any input: it crossed storage to get here. */
import { z } from 'zod';
import { isDigest, isRepository, isTag } from '../domain/image-ref.js';
import { DNS_LABEL, RELEASE_ID } from '../domain/release.js';
import { SEMVER_TAG } from '../domain/promotion.js';
import type { DeferredImage } from '../ports.js';

const DeferredImage = z.object({
  id: z.string().min(1).max(300),
  app: z.string().regex(DNS_LABEL),
  registry: z.string().regex(/^[a-z0-9.-]+(:[0-9]+)?$/),
  repository: z.string().refine(isRepository, 'not a repository name'),
  digest: z.string().refine(isDigest, 'not a sha256 digest'),
  tag: z.string().refine(isTag, 'not a tag').optional(),
});

export const DeferredImages = z.object({ images: z.array(DeferredImage).min(1) });

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _same: Same<z.infer<typeof DeferredImage>, DeferredImage> = true;

const Text = z.string().max(2_000);
const NewReleaseMessage = z.object({
  app: z.string().regex(DNS_LABEL),
  environment: z.string().regex(DNS_LABEL),
  kind: z.enum(['image', 'manifest', 'build', 'rollback', 'version']),
  target: Text,
  image: z
    .object({
      registry: z.string().regex(/^[a-z0-9.-]+(:[0-9]+)?$/),
      repository: z.string().refine(isRepository, 'not a repository name'),
      digest: z.string().refine(isDigest, 'not a sha256 digest'),
      tag: z.string().refine(isTag, 'not a tag').optional(),
    })
    .optional(),
  commit: z
    .string()
    .regex(/^[0-9a-f]{40}$/)
    .optional(),
  manifestCommit: z
    .string()
    .regex(/^[0-9a-f]{40}$/)
    .optional(),
  /** A pushed git tag vX.Y.Z the release carries (#15). */
  version: z.string().max(128).regex(SEMVER_TAG).optional(),
  source: z.object({ door: z.enum(['github', 'acr']), eventId: Text, actor: Text.optional(), reason: Text.optional() }),
  correlationId: Text,
  semanticDedup: z.boolean(),
  allowQuarantined: z.boolean(),
  /** The build's compare link and truncation flag: kept as the door made them. */
  progress: z.object({ compare: Text.optional(), truncated: z.boolean().optional() }).optional(),
});

const AcceptedEvent = z.object({
  door: z.enum(['github', 'acr']),
  key: z.string().min(1).max(300),
  acceptedAt: z.iso.datetime(),
  releases: z
    .array(z.object({ id: z.string().regex(RELEASE_ID), input: NewReleaseMessage }))
    .min(1)
    .max(10),
});

/** Events the GitHub and ACR doors accepted; admitted by the admission queue's worker. */
export const AcceptedEvents = z.object({ accepted: z.array(AcceptedEvent).min(1) });
