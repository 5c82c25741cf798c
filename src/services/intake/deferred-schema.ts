/** A message of the admission queue, checked like any input: it crossed storage to get here. */
import { z } from 'zod';
import { isDigest, isRepository, isTag } from '../domain/image-ref.js';
import { DNS_LABEL } from '../domain/release.js';
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
