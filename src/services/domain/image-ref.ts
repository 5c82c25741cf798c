import { type Result } from './result.js';

/**
 * An OCI image reference, following the grammar of distribution/reference:
 *   reference := name [":" tag] ["@" digest]
 * We only deploy sha256 digests; a tag alone must be resolved to a digest before deploy.
 */
export interface ImageRef {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const REPOSITORY = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = 'sha256:[a-f0-9]{64}';

const REFERENCE = new RegExp(`^(${DOMAIN})/(${REPOSITORY})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const REPOSITORY_ONLY = new RegExp(`^${REPOSITORY}$`);
const TAG_ONLY = new RegExp(`^${TAG}$`);
const DIGEST_ONLY = new RegExp(`^${DIGEST}$`);
const NAME_MAX = 255;

export type ImageRefError = { field: 'image'; message: string };

export function parseImageRef(input: string): Result<ImageRef, ImageRefError> {
  const fail = (message: string) => ({ ok: false as const, error: { field: 'image' as const, message } });
  if (input.length === 0) return fail('image reference is empty');
  if (input.length > 512) return fail('image reference is longer than 512 characters');
  const m = REFERENCE.exec(input);
  if (!m) {
    return fail(
      'image reference must look like registry/repository[:tag][@sha256:<64 hex>] (lowercase repository, registry host required)',
    );
  }
  const [, registry = '', repository = '', tag, digest] = m;
  // Docker Hub style "library/x" without a registry host would parse with "library" as host; require a dot or port.
  if (!registry.includes('.') && !registry.includes(':') && registry !== 'localhost') {
    return fail(`"${registry}" is not a registry host; give the full registry, e.g. myacr.azurecr.io/${registry}/...`);
  }
  if (registry.length + 1 + repository.length > NAME_MAX) return fail('image name is longer than 255 characters');
  return {
    ok: true,
    value: { registry: registry.toLowerCase(), repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) },
  };
}

export const isRepository = (s: string): boolean => s.length <= NAME_MAX && REPOSITORY_ONLY.test(s);
export const isTag = (s: string): boolean => TAG_ONLY.test(s);
export const isDigest = (s: string): boolean => DIGEST_ONLY.test(s);

/** `registry/repo@sha256:…` — the only form we ever write into a workload. */
export function pinnedImage(ref: { registry: string; repository: string; digest: string }): string {
  return `${ref.registry}/${ref.repository}@${ref.digest}`;
}
