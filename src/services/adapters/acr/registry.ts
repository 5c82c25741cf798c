/**
 * The registry data plane: tag → digest. ACR accepts an Entra token only through its token
 * exchange (https://github.com/Azure/acr/blob/main/docs/AAD-OAuth.md): AAD access token →
 * POST /oauth2/exchange → ACR refresh token → POST /oauth2/token (scope repository:<repo>:pull)
 * → ACR access token → HEAD /v2/<repo>/manifests/<tag>, digest in Docker-Content-Digest.
 */
import type { TokenCredential } from '@azure/identity';
import { type Result, ok, err } from '../../domain/result.js';
import { isDigest, isRepository, isTag } from '../../domain/image-ref.js';
import type { Clock } from '../../ports.js';
import { fromThrown, invalid, type Redact } from './errors.js';
import type { HttpSend } from './https.js';
import { createRegistryTokens, failed, pullSend, type RegistryTokens } from './registry-token.js';

export interface RegistryOptions {
  /** `myacr.azurecr.io`: the token `service`, whatever URL it is reached at. */
  loginServer: string;
  /** Base URL of the data plane; defaults to https://<loginServer>. */
  endpoint: string;
  credential: TokenCredential;
  /** Scope of the AAD token offered to the exchange. */
  aadScope: string;
  send: HttpSend;
  clock: Clock;
  redact: Redact;
  /** Pull tokens shared by every data-plane reader (createAcr makes one); absent, each reader keeps its own. */
  tokens?: RegistryTokens;
}

/** Index and manifest types, OCI and Docker: a multi-arch tag resolves to its index digest. */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export function createTagResolver(o: RegistryOptions): (repository: string, tag: string) => Promise<Result<string>> {
  const base = o.endpoint.replace(/\/+$/, '');
  const tokens = o.tokens ?? createRegistryTokens({ ...o, base });

  return async (repository, tag) => {
    if (!isRepository(repository) || !isTag(tag)) return err(invalid(`not a repository and tag: ${repository}:${tag}`));
    try {
      const session = await pullSend(tokens, o.send, repository);
      if (!session.ok) return session;
      const head = await session.value({
        method: 'HEAD',
        url: `${base}/v2/${repository}/manifests/${encodeURIComponent(tag)}`,
        headers: { accept: MANIFEST_ACCEPT },
      });
      if (head.status !== 200) return failed(o, head, `manifest ${repository}:${tag}`);
      const digest = head.headers['docker-content-digest'];
      if (!digest || !isDigest(digest)) return err(invalid(`manifest ${repository}:${tag} has no sha256 Docker-Content-Digest`));
      return ok(digest);
    } catch (e) {
      return err(fromThrown(e, `resolve ${repository}:${tag}`, o.redact, o.clock));
    }
  };
}
