/**
 * Config blobs of the fake registry: GET /v2/<repo>/blobs/<digest> answers, as ACR does, with a 307
 * to storage (here /_storage/blobs/<digest>, no registry token needed there), which serves the image
 * config with its labels. The fake's manifests name the image digest as their config digest, so
 * labels are kept per image digest (set with the `labels` control).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mayAccess, type RegistryState } from './fake-registry.js';

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
};

/** Answers blob routes; false when the path is not one of them. */
export function handleBlobs(
  s: RegistryState,
  labels: Map<string, Record<string, string>>,
  req: IncomingMessage,
  url: URL,
  res: ServerResponse,
) {
  const stored = /^\/_storage\/blobs\/(sha256:[a-f0-9]{64})$/.exec(url.pathname);
  if (stored && req.method === 'GET') {
    json(res, 200, {
      architecture: 'amd64',
      os: 'linux',
      config: { Labels: labels.get(stored[1]!) ?? null },
      rootfs: { type: 'layers', diff_ids: [] },
    });
    return true;
  }
  const m = /^\/v2\/(.+)\/blobs\/(sha256:[a-f0-9]{64})$/.exec(url.pathname);
  if (!m || req.method !== 'GET') return false;
  const [, repository = '', digest = ''] = m;
  // Only the config blobs of the fake's own images (their config digest is the image digest); anything
  // else was pushed through the OCI routes (fake-oci.ts) and is served there.
  if (![...(s.tags.get(repository)?.values() ?? [])].includes(digest)) return false;
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (!mayAccess(s, bearer, repository, 'pull')) {
    json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] });
    return true;
  }
  res.writeHead(307, { location: `/_storage/blobs/${digest}` });
  res.end();
  return true;
}
