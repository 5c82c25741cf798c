/**
 * The commit an image says it was built from: the OCI label `org.opencontainers.image.revision` in
 * its config blob. Manifest by digest (an index: its first platform's manifest) → config digest →
 * blob. Every read is bounded (blob.ts): a config larger than the limit is refused unread, and said.
 */
import { z } from 'zod';
import { type Result, ok, err } from '../../domain/result.js';
import { isDigest, isRepository } from '../../domain/image-ref.js';
import { fromStatus, fromThrown, invalid } from './errors.js';
import { MANIFEST_ACCEPT, type RegistryOptions } from './registry.js';
import { createRegistryTokens, failed, pullSend, safeJson } from './registry-token.js';
import { readBlob } from './blob.js';

export const REVISION_LABEL = 'org.opencontainers.image.revision';
const COMMIT = /^[0-9a-f]{40}$/;

export const LABEL_LIMITS = {
  /** An image manifest or index is a few KiB. */
  manifestBytes: 256 * 1024,
  /** An image config (history, env, labels) is rarely over a few tens of KiB. */
  configBytes: 1024 * 1024,
};

const Manifest = z.object({
  config: z.object({ digest: z.string() }).optional(),
  manifests: z.array(z.object({ digest: z.string() })).optional(),
});
const Config = z.object({ config: z.object({ Labels: z.record(z.string(), z.string()).nullish() }).nullish() });

export function createRevisionReader(
  o: RegistryOptions,
  limits = LABEL_LIMITS,
): (repository: string, digest: string) => Promise<Result<string | undefined>> {
  const base = o.endpoint.replace(/\/+$/, '');
  const tokens = o.tokens ?? createRegistryTokens({ ...o, base });
  return async (repository, digest) => {
    if (!isRepository(repository) || !isDigest(digest)) return err(invalid(`not a repository and digest: ${repository}@${digest}`));
    try {
      const session = await pullSend(tokens, o.send, repository);
      if (!session.ok) return session;
      const authorized = session.value;
      const manifest = async (ref: string) => {
        const res = await authorized({
          method: 'GET',
          url: `${base}/v2/${repository}/manifests/${ref}`,
          headers: { accept: MANIFEST_ACCEPT },
          limitBytes: limits.manifestBytes,
        });
        if (res.status === 200 && res.tooLarge)
          return err(invalid(`manifest ${repository}@${ref} is larger than ${limits.manifestBytes} bytes`));
        return res.status === 200 ? ok(Manifest.safeParse(safeJson(res.body))) : failed(o, res, `manifest ${repository}@${ref}`);
      };
      let m = await manifest(digest);
      if (!m.ok) return m;
      const child = m.value.success ? m.value.data.manifests?.[0]?.digest : undefined;
      if (child && isDigest(child)) m = await manifest(child);
      if (!m.ok) return m;
      const config = m.value.success ? m.value.data.config?.digest : undefined;
      if (!config || !isDigest(config)) return ok(undefined);
      // The label only names a commit to upload SARIF for; nothing is trusted on it, so the bytes are not held to the digest.
      const blob = await readBlob(o, {
        authorized,
        plain: o.send,
        base,
        repository,
        digest: config,
        limitBytes: limits.configBytes,
        verify: false,
        what: `config of ${repository}@${digest}`,
      });
      if (!blob.ok) return blob;
      if (blob.value.kind === 'too-large')
        return err(invalid(`the config of ${repository}@${digest} is larger than ${limits.configBytes} bytes: refused unread`));
      if (blob.value.kind === 'missing') return err(fromStatus(404, `config of ${repository}@${digest}`, o.redact, o.clock));
      if (blob.value.kind !== 'ok') return err(invalid(`the config of ${repository}@${digest} does not match its digest`));
      const labels = Config.safeParse(safeJson(blob.value.bytes.toString('utf8')));
      const revision = labels.success ? labels.data.config?.Labels?.[REVISION_LABEL] : undefined;
      return ok(revision && COMMIT.test(revision) ? revision : undefined);
    } catch (e) {
      return err(fromThrown(e, `labels of ${repository}@${digest}`, o.redact, o.clock));
    }
  };
}
