/**
 * The registry data plane of the fake: ACR's token exchange (/oauth2/exchange, /oauth2/token),
 * manifests by tag or digest under /v2/, and the ImagePushed events a real push would raise.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RegistryState {
  loginServer: string;
  /** repository → tag → digest */
  tags: Map<string, Map<string, string>>;
  refreshTokens: Set<string>;
  /** access token → repository it may pull */
  accessTokens: Map<string, string>;
}

const MANIFEST_TYPE = 'application/vnd.docker.distribution.manifest.v2+json';

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
};

/** Answers registry routes; false when the path is not one of them. */
export function handleRegistry(s: RegistryState, req: IncomingMessage, url: URL, body: string, res: ServerResponse): boolean {
  const form = new URLSearchParams(body);
  if (req.method === 'POST' && url.pathname === '/oauth2/exchange') {
    if (form.get('grant_type') !== 'access_token' || form.get('service') !== s.loginServer || !form.get('access_token')) {
      json(res, 400, { errors: [{ code: 'UNSUPPORTED', message: 'grant_type=access_token, service and access_token are required' }] });
      return true;
    }
    const rt = `fake-refresh-${randomUUID()}`;
    s.refreshTokens.add(rt);
    json(res, 200, { refresh_token: rt });
    return true;
  }
  if (req.method === 'POST' && url.pathname === '/oauth2/token') {
    const scope = /^repository:([^:]+):pull$/.exec(form.get('scope') ?? '');
    if (form.get('grant_type') !== 'refresh_token' || form.get('service') !== s.loginServer || !scope?.[1]) {
      json(res, 400, { errors: [{ code: 'UNSUPPORTED', message: 'grant_type=refresh_token, service and scope are required' }] });
      return true;
    }
    if (!s.refreshTokens.has(form.get('refresh_token') ?? '')) {
      json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'invalid refresh token' }] });
      return true;
    }
    const at = `fake-access-${randomUUID()}`;
    s.accessTokens.set(at, scope[1]);
    json(res, 200, { access_token: at });
    return true;
  }
  const m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
  if (!m || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
  const repository = m[1]!;
  const reference = decodeURIComponent(m[2]!);
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (!bearer || s.accessTokens.get(bearer) !== repository) {
    const challenge = `Bearer realm="https://${s.loginServer}/oauth2/token",service="${s.loginServer}",scope="repository:${repository}:pull"`;
    json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }, { 'www-authenticate': challenge });
    return true;
  }
  const tags = s.tags.get(repository);
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
