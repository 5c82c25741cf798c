/**
 * The registry data plane of the fake: ACR's token exchange (/oauth2/exchange, /oauth2/token), the
 * /v2/ ping and its Bearer challenge, manifests by tag or digest under /v2/, the OCI distribution
 * pushes and reads in ./fake-oci.ts, and the ImagePushed events a real push would raise.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleDistribution, newOciStore, type OciStore } from './fake-oci.js';

export interface RegistryState {
  loginServer: string;
  /** repository → tag → digest */
  tags: Map<string, Map<string, string>>;
  refreshTokens: Set<string>;
  /** access token → repository it may pull */
  accessTokens: Map<string, string>;
  /** access token → "<repository>:<action>" it was granted (tokens asked with several scopes or push). */
  grants?: Map<string, Set<string>>;
  /** Pushed content (real clients: cosign, crane); built images without pushed content are synthesized. */
  oci?: OciStore;
}

/** `repository:<name>:<actions>` scopes, space-separated (docker token spec); undefined when any is malformed. */
function parseScopes(scope: string): { repository: string; actions: string[] }[] | undefined {
  const out = [];
  for (const one of scope.split(' ').filter(Boolean)) {
    const m = /^repository:([a-z0-9._/-]+):([a-z*,]+)$/.exec(one);
    if (!m) return undefined;
    out.push({ repository: m[1]!, actions: m[2]!.split(',') });
  }
  return out.length ? out : undefined;
}

const MANIFEST_TYPE = 'application/vnd.docker.distribution.manifest.v2+json';

/** The fake's token lifetimes (its own choice; clients read `exp` from the token, as from ACR's JWTs). */
const REFRESH_TOKEN_SECONDS = 3 * 3600;
const ACCESS_TOKEN_SECONDS = 3600;
const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
/** A JWT-shaped token like ACR's (unsigned here: only the fake reads it back, by lookup). */
const fakeJwt = (seconds: number) =>
  `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ jti: randomUUID(), exp: Math.floor(Date.now() / 1000) + seconds })}.fake`;

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
};

/** Whether an access token may pull from (or push to) a repository: a single-repository pull token, or a grant. */
export function mayAccess(s: RegistryState, bearer: string | undefined, repository: string, action: 'pull' | 'push'): boolean {
  if (!bearer) return false;
  return (action === 'pull' && s.accessTokens.get(bearer) === repository) || Boolean(s.grants?.get(bearer)?.has(`${repository}:${action}`));
}

/** Answers registry routes; false when the path is not one of them. */
export function handleRegistry(s: RegistryState, req: IncomingMessage, url: URL, body: string, res: ServerResponse, raw?: Buffer): boolean {
  const form = new URLSearchParams(body);
  if (req.method === 'POST' && url.pathname === '/oauth2/exchange') {
    if (form.get('grant_type') !== 'access_token' || form.get('service') !== s.loginServer || !form.get('access_token')) {
      json(res, 400, { errors: [{ code: 'UNSUPPORTED', message: 'grant_type=access_token, service and access_token are required' }] });
      return true;
    }
    const rt = fakeJwt(REFRESH_TOKEN_SECONDS);
    s.refreshTokens.add(rt);
    json(res, 200, { refresh_token: rt });
    return true;
  }
  if (req.method === 'POST' && url.pathname === '/oauth2/token') {
    const scopes = parseScopes(form.get('scope') ?? '');
    if (form.get('grant_type') !== 'refresh_token' || form.get('service') !== s.loginServer || !scopes) {
      json(res, 400, { errors: [{ code: 'UNSUPPORTED', message: 'grant_type=refresh_token, service and scope are required' }] });
      return true;
    }
    if (!s.refreshTokens.has(form.get('refresh_token') ?? '')) {
      json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'invalid refresh token' }] });
      return true;
    }
    const at = fakeJwt(ACCESS_TOKEN_SECONDS);
    const [only] = scopes;
    if (scopes.length === 1 && only!.actions.join() === 'pull') s.accessTokens.set(at, only!.repository);
    else (s.grants ??= new Map()).set(at, new Set(scopes.flatMap((x) => x.actions.map((a) => `${x.repository}:${a}`))));
    json(res, 200, { access_token: at });
    return true;
  }
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  // The realm is where this fake is reached (a client follows it), the service is the registry's name.
  const realm = `https://${req.headers.host ?? s.loginServer}/oauth2/token`;
  const challenge = (scope?: string) =>
    json(
      res,
      401,
      { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] },
      {
        'www-authenticate': `Bearer realm="${realm}",service="${s.loginServer}"${scope ? `,scope="${scope}"` : ''}`,
      },
    );
  if (url.pathname === '/v2/' && (req.method === 'GET' || req.method === 'HEAD')) {
    if (!bearer || !(s.accessTokens.has(bearer) || s.grants?.has(bearer))) return (challenge(), true);
    return (json(res, 200, {}), true);
  }
  const authorize = (repository: string, action: 'pull' | 'push') => {
    if (mayAccess(s, bearer, repository, action)) return true;
    challenge(`repository:${repository}:${action === 'push' ? 'pull,push' : 'pull'}`);
    return false;
  };
  if (
    url.pathname.startsWith('/v2/') &&
    handleDistribution((s.oci ??= newOciStore()), { tags: s.tags, authorize }, req, url, raw ?? Buffer.from(body), res)
  )
    return true;
  const m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
  if (!m || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
  const repository = m[1]!;
  const reference = decodeURIComponent(m[2]!);
  if (!authorize(repository, 'pull')) return true;
  const tags = s.tags.get(repository);
  const pushedDigest = reference.startsWith('sha256:') ? reference : tags?.get(reference);
  const pushed = pushedDigest ? s.oci?.manifests.get(repository)?.get(pushedDigest) : undefined;
  if (pushed && pushedDigest) {
    res.writeHead(200, {
      'content-type': pushed.mediaType,
      'docker-content-digest': pushedDigest,
      'content-length': String(pushed.body.length),
    });
    res.end(req.method === 'HEAD' ? undefined : pushed.body);
    return true;
  }
  const digest = reference.startsWith('sha256:')
    ? [...(tags?.values() ?? [])].includes(reference)
      ? reference
      : undefined
    : tags?.get(reference);
  if (!digest) {
    json(res, 404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest tagged by "' + reference + '" is not found' }] });
    return true;
  }
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: MANIFEST_TYPE,
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 1, digest },
  });
  res.writeHead(200, {
    'content-type': MANIFEST_TYPE,
    'docker-content-digest': digest,
    'content-length': String(Buffer.byteLength(manifest)),
  });
  res.end(req.method === 'HEAD' ? undefined : manifest);
  return true;
}

export interface EventSink {
  url: string;
  headers?: Record<string, string>;
}

/** One Event Grid-schema ImagePushed event, as ACR sends per pushed tag. */
export function imagePushedEvent(
  topic: string,
  loginServer: string,
  repository: string,
  tag: string,
  digest: string,
): Record<string, unknown> {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    topic,
    subject: `${repository}:${tag}`,
    eventType: 'Microsoft.ContainerRegistry.ImagePushed',
    eventTime: now,
    data: {
      id: randomUUID(),
      timestamp: now,
      action: 'push',
      target: { mediaType: MANIFEST_TYPE, size: 1791, digest, length: 1791, repository, tag },
      request: { id: randomUUID(), host: loginServer, method: 'PUT', useragent: 'buildkit/v0.16 (tailspin sandbox acr-task)' },
    },
    dataVersion: '1.0',
    metadataVersion: '1',
  };
}
