/**
 * The registry data plane: tag → digest. ACR accepts an Entra token only through its token
 * exchange (https://github.com/Azure/acr/blob/main/docs/AAD-OAuth.md): AAD access token →
 * POST /oauth2/exchange → ACR refresh token → POST /oauth2/token (scope repository:<repo>:pull)
 * → ACR access token → HEAD /v2/<repo>/manifests/<tag>, digest in Docker-Content-Digest.
 */
import type { TokenCredential } from '@azure/identity';
import { type Result, ok, err, adapterError } from '../../domain/result.js';
import { isDigest, isRepository, isTag } from '../../domain/image-ref.js';
import type { Clock } from '../../ports.js';
import { fromStatus, fromThrown, invalid, type Redact } from './errors.js';
import type { HttpResponse, HttpSend } from './https.js';
import { AcrAccessToken, AcrRefreshToken } from './schema.js';

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
}

/** Index and manifest types, OCI and Docker: a multi-arch tag resolves to its index digest. */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();

/** A pull token for one repository through ACR's token exchange; a failure is the Result's error. */
export async function pullToken(o: RegistryOptions, repository: string): Promise<Result<string>> {
  const base = o.endpoint.replace(/\/+$/, '');
  const post = (path: string, body: string) =>
    o.send({ method: 'POST', url: `${base}${path}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  const aad = await o.credential.getToken(o.aadScope);
  if (!aad) return err(adapterError('acr', 'auth', 'no Entra token for the registry exchange'));
  const exchange = await post('/oauth2/exchange', form({ grant_type: 'access_token', service: o.loginServer, access_token: aad.token }));
  if (exchange.status !== 200) return failed(o, exchange, 'registry token exchange');
  const refresh = AcrRefreshToken.safeParse(safeJson(exchange.body));
  if (!refresh.success) return err(invalid('registry token exchange answered without a refresh_token'));
  const token = await post(
    '/oauth2/token',
    form({
      grant_type: 'refresh_token',
      service: o.loginServer,
      scope: `repository:${repository}:pull`,
      refresh_token: refresh.data.refresh_token,
    }),
  );
  if (token.status !== 200) return failed(o, token, 'registry access token');
  const access = AcrAccessToken.safeParse(safeJson(token.body));
  if (!access.success) return err(invalid('registry token endpoint answered without an access_token'));
  return ok(access.data.access_token);
}

export const failed = (o: RegistryOptions, res: HttpResponse, what: string) =>
  err(fromStatus(res.status, what, o.redact, o.clock, res.headers['retry-after']));

export function createTagResolver(o: RegistryOptions): (repository: string, tag: string) => Promise<Result<string>> {
  const base = o.endpoint.replace(/\/+$/, '');
  return async (repository, tag) => {
    if (!isRepository(repository) || !isTag(tag)) return err(invalid(`not a repository and tag: ${repository}:${tag}`));
    try {
      const token = await pullToken(o, repository);
      if (!token.ok) return token;
      const head = await o.send({
        method: 'HEAD',
        url: `${base}/v2/${repository}/manifests/${encodeURIComponent(tag)}`,
        headers: { authorization: `Bearer ${token.value}`, accept: MANIFEST_ACCEPT },
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

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
