/**
 * What tests (and people at a terminal) do to the fake registry's content directly: push a small real
 * image, or put any bytes as a blob or manifest, hostile ones included, as a registry could hold them.
 */
import { randomUUID } from 'node:crypto';
import type { RegistryState } from './fake-registry.js';
import { manifestsOf, newOciStore, pushImage, sha256, type StoredManifest } from './fake-oci.js';
import { putTag } from './timed-tags.js';

export { newOciStore } from './fake-oci.js';

export function ociControl(registry: RegistryState) {
  const store = () => (registry.oci ??= newOciStore());
  return {
    /** A real image (config blob + OCI manifest), tagged when a tag is given: its digest. */
    pushImage: (repository: string, tag?: string, labels?: Record<string, string>) =>
      pushImage(store(), registry.tags, repository, tag, labels),
    /** Any bytes as a blob: its digest. */
    putBlob: (bytes: Buffer | string) => {
      const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
      const digest = sha256(b);
      store().blobs.set(digest, b);
      return digest;
    },
    /** Any bytes as a manifest, unvalidated (a broken or hostile registry), under a tag when given: its digest. */
    putRawManifest: (repository: string, body: Buffer | string, meta: Omit<StoredManifest, 'body'>, tag?: string) => {
      const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
      const digest = sha256(b);
      manifestsOf(store(), repository).set(digest, { ...meta, body: b });
      if (tag) {
        putTag(registry.tags, repository, tag, digest);
      }
      return digest;
    },
    /** A refresh token as `az acr login` stores it (docker config `identitytoken`), for real clients. */
    refreshToken: () => {
      const rt = `fake-refresh-${randomUUID()}`;
      registry.refreshTokens.add(rt);
      return rt;
    },
  };
}
