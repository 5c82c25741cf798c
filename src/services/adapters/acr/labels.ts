/**
 * The commit an image says it was built from: the OCI label `org.opencontainers.image.revision` in
 * its config blob. Manifest by digest (an index: its first platform's manifest) → config digest →
 * blob; ACR answers blob reads with a redirect to storage, followed once without the registry token.
 */
import { z } from 'zod';
import { type Result, ok, err } from '../../domain/result.js';
import { isDigest, isRepository } from '../../domain/image-ref.js';
import { fromThrown, invalid } from './errors.js';
import { MANIFEST_ACCEPT, type RegistryOptions } from './registry.js';
import { failed, pullToken, safeJson } from './registry-token.js';

export const REVISION_LABEL = 'org.opencontainers.image.revision';
const COMMIT = /^[0-9a-f]{40}$/;

const Manifest = z.object({
  config: z.object({ digest: z.string() }).optional(),
  manifests: z.array(z.object({ digest: z.string() })).optional(),
});
const Config = z.object({ config: z.object({ Labels: z.record(z.string(), z.string()).nullish() }).nullish() });

export function createRevisionReader(o: RegistryOptions): (repository: string, digest: string) => Promise<Result<string | undefined>> {
  const base = o.endpoint.replace(/\/+$/, '');
  return async (repository, digest) => {
    if (!isRepository(repository) || !isDigest(digest)) return err(invalid(`not a repository and digest: ${repository}@${digest}`));
    try {
      const token = await pullToken({ ...o, base }, repository);
      if (!token.ok) return token;
      const auth = { authorization: `Bearer ${token.value}` };
      const manifest = async (ref: string) => {
        const res = await o.send({
          method: 'GET',
          url: `${base}/v2/${repository}/manifests/${ref}`,
          headers: { ...auth, accept: MANIFEST_ACCEPT },
        });
        return res.status === 200 ? Manifest.safeParse(safeJson(res.body)) : res;
      };
      let m = await manifest(digest);
      if ('status' in m) return failed(o, m, `manifest ${repository}@${digest}`);
      const child = m.success ? m.data.manifests?.[0]?.digest : undefined;
      if (child && isDigest(child)) m = await manifest(child);
      if ('status' in m) return failed(o, m, `manifest ${repository}@${child ?? digest}`);
      const config = m.success ? m.data.config?.digest : undefined;
      if (!config || !isDigest(config)) return ok(undefined);
      let blob = await o.send({ method: 'GET', url: `${base}/v2/${repository}/blobs/${config}`, headers: auth });
      const location = blob.headers.location;
      if ((blob.status === 307 || blob.status === 302) && location)
        blob = await o.send({ method: 'GET', url: new URL(location, base).toString() });
      if (blob.status !== 200) return failed(o, blob, `config of ${repository}@${digest}`);
      const labels = Config.safeParse(safeJson(blob.body));
      const revision = labels.success ? labels.data.config?.Labels?.[REVISION_LABEL] : undefined;
      return ok(revision && COMMIT.test(revision) ? revision : undefined);
    } catch (e) {
      return err(fromThrown(e, `labels of ${repository}@${digest}`, o.redact, o.clock));
    }
  };
}
