/**
 * The registry fake's content store and the OCI distribution-spec routes a real client (cosign, crane,
 * docker) pushes and pulls with: blob uploads (POST, PATCH, PUT ?digest=, monolithic POST ?digest=,
 * cross-repository mount), HEAD/GET of blobs and manifests, manifest PUT by tag or digest with
 * `subject` (answered with OCI-Subject), the referrers API and the tags list.
 * https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md
 * Everything is content-addressed: a digest is always the sha256 of the bytes stored under it.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { putTag } from './timed-tags.js';

export interface StoredManifest {
  mediaType: string;
  body: Buffer;
  artifactType?: string;
  annotations?: Record<string, string>;
  subject?: string;
}

export interface OciStore {
  blobs: Map<string, Buffer>;
  /** repository → digest → manifest */
  manifests: Map<string, Map<string, StoredManifest>>;
  uploads: Map<string, { repository: string; chunks: Buffer[] }>;
}

export const newOciStore = (): OciStore => ({ blobs: new Map(), manifests: new Map(), uploads: new Map() });

export const sha256 = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const MANIFEST_TYPES = [
  OCI_MANIFEST,
  OCI_INDEX,
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];
/** Real registries cap manifests at a few MiB (ACR: 4 MiB); larger PUTs are refused. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

const ociError = (res: ServerResponse, status: number, code: string, message: string) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ errors: [{ code, message }] }));
};

export function manifestsOf(s: OciStore, repository: string): Map<string, StoredManifest> {
  let m = s.manifests.get(repository);
  if (!m) s.manifests.set(repository, (m = new Map<string, StoredManifest>()));
  return m;
}

/** Validate and store a manifest; the digest, or why it was refused. */
export function putManifest(
  s: OciStore,
  repository: string,
  body: Buffer,
  contentType: string,
): { digest: string } | { status: number; code: string; message: string } {
  if (body.length > MAX_MANIFEST_BYTES) return { status: 413, code: 'SIZE_INVALID', message: 'manifest too large' };
  let doc: {
    mediaType?: unknown;
    config?: { digest?: unknown };
    layers?: unknown;
    manifests?: unknown;
    subject?: { digest?: unknown };
    artifactType?: unknown;
    annotations?: unknown;
  };
  try {
    doc = JSON.parse(body.toString('utf8')) as typeof doc;
  } catch {
    return { status: 400, code: 'MANIFEST_INVALID', message: 'manifest is not JSON' };
  }
  const mediaType = typeof doc.mediaType === 'string' ? doc.mediaType : contentType.split(';')[0]!.trim();
  if (!MANIFEST_TYPES.includes(mediaType))
    return { status: 400, code: 'MANIFEST_INVALID', message: `unsupported manifest media type ${mediaType}` };
  const refs = [
    ...(doc.config?.digest !== undefined ? [doc.config.digest] : []),
    ...(Array.isArray(doc.layers) ? doc.layers.map((l: { digest?: unknown }) => l.digest) : []),
  ];
  for (const d of refs) {
    if (typeof d !== 'string' || !s.blobs.has(d))
      return { status: 400, code: 'MANIFEST_BLOB_UNKNOWN', message: `blob ${String(d)} is not in the registry` };
  }
  const digest = sha256(body);
  const subject = typeof doc.subject?.digest === 'string' && DIGEST.test(doc.subject.digest) ? doc.subject.digest : undefined;
  const configType = (doc.config as { mediaType?: unknown } | undefined)?.mediaType;
  const artifactType = typeof doc.artifactType === 'string' ? doc.artifactType : typeof configType === 'string' ? configType : undefined;
  manifestsOf(s, repository).set(digest, {
    mediaType,
    body,
    ...(artifactType ? { artifactType } : {}),
    ...(doc.annotations && typeof doc.annotations === 'object' ? { annotations: doc.annotations as Record<string, string> } : {}),
    ...(subject ? { subject } : {}),
  });
  return { digest };
}

export interface DistributionContext {
  /** repository → tag → digest (shared with the fake's builds). */
  tags: Map<string, Map<string, string>>;
  /** May this request do `action` on `repository`? Answers 401 itself when not. */
  authorize: (repository: string, action: 'pull' | 'push') => boolean;
}

/** Answers the distribution routes (except manifest GET, which the caller serves); false when the path is not one. */
export function handleDistribution(
  s: OciStore,
  ctx: DistributionContext,
  req: IncomingMessage,
  url: URL,
  raw: Buffer,
  res: ServerResponse,
): boolean {
  const method = req.method ?? 'GET';
  const p = url.pathname;
  let m: RegExpExecArray | null;
  if ((m = /^\/v2\/(.+)\/blobs\/uploads\/?$/.exec(p)) && method === 'POST') {
    const repository = m[1]!;
    if (!ctx.authorize(repository, 'push')) return true;
    const mount = url.searchParams.get('mount');
    if (mount && s.blobs.has(mount)) {
      res.writeHead(201, { location: `/v2/${repository}/blobs/${mount}`, 'docker-content-digest': mount, 'content-length': '0' });
      res.end();
      return true;
    }
    const monolithic = url.searchParams.get('digest');
    if (monolithic) return (commitBlob(s, res, repository, monolithic, raw), true);
    const id = randomUUID();
    s.uploads.set(id, { repository, chunks: [] });
    res.writeHead(202, {
      location: `/v2/${repository}/blobs/uploads/${id}`,
      range: '0-0',
      'docker-upload-uuid': id,
      'content-length': '0',
    });
    res.end();
    return true;
  }
  if ((m = /^\/v2\/(.+)\/blobs\/uploads\/([0-9a-f-]{36})$/.exec(p)) && (method === 'PATCH' || method === 'PUT')) {
    const repository = m[1]!;
    if (!ctx.authorize(repository, 'push')) return true;
    const upload = s.uploads.get(m[2]!);
    if (!upload || upload.repository !== repository) return (ociError(res, 404, 'BLOB_UPLOAD_UNKNOWN', 'upload unknown'), true);
    upload.chunks.push(raw);
    if (method === 'PATCH') {
      const size = upload.chunks.reduce((n, c) => n + c.length, 0);
      res.writeHead(202, { location: p, range: `0-${Math.max(0, size - 1)}`, 'docker-upload-uuid': m[2]!, 'content-length': '0' });
      res.end();
      return true;
    }
    s.uploads.delete(m[2]!);
    commitBlob(s, res, repository, url.searchParams.get('digest') ?? '', Buffer.concat(upload.chunks));
    return true;
  }
  if ((m = /^\/v2\/(.+)\/blobs\/(sha256:[a-f0-9]{64})$/.exec(p)) && (method === 'GET' || method === 'HEAD')) {
    if (!ctx.authorize(m[1]!, 'pull')) return true;
    const blob = s.blobs.get(m[2]!);
    if (!blob) return (ociError(res, 404, 'BLOB_UNKNOWN', 'blob unknown to registry'), true);
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': String(blob.length),
      'docker-content-digest': m[2]!,
    });
    res.end(method === 'HEAD' ? undefined : blob);
    return true;
  }
  if ((m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(p)) && method === 'PUT') {
    const repository = m[1]!;
    const reference = decodeURIComponent(m[2]!);
    if (!ctx.authorize(repository, 'push')) return true;
    const put = putManifest(s, repository, raw, req.headers['content-type'] ?? '');
    if ('status' in put) return (ociError(res, put.status, put.code, put.message), true);
    if (reference.startsWith('sha256:') && reference !== put.digest)
      return (ociError(res, 400, 'DIGEST_INVALID', 'manifest digest does not match the reference'), true);
    if (!reference.startsWith('sha256:')) {
      putTag(ctx.tags, repository, reference, put.digest);
    }
    const subject = manifestsOf(s, repository).get(put.digest)?.subject;
    res.writeHead(201, {
      location: `/v2/${repository}/manifests/${put.digest}`,
      'docker-content-digest': put.digest,
      'content-length': '0',
      ...(subject ? { 'oci-subject': subject } : {}),
    });
    res.end();
    return true;
  }
  if ((m = /^\/v2\/(.+)\/referrers\/(sha256:[a-f0-9]{64})$/.exec(p)) && method === 'GET') {
    if (!ctx.authorize(m[1]!, 'pull')) return true;
    const artifactType = url.searchParams.get('artifactType');
    const manifests = [...manifestsOf(s, m[1]!)]
      .filter(([, x]) => x.subject === m![2] && (!artifactType || x.artifactType === artifactType))
      .map(([digest, x]) => ({
        mediaType: x.mediaType,
        digest,
        size: x.body.length,
        ...(x.artifactType ? { artifactType: x.artifactType } : {}),
        ...(x.annotations ? { annotations: x.annotations } : {}),
      }));
    res.writeHead(200, { 'content-type': OCI_INDEX, ...(artifactType ? { 'oci-filters-applied': 'artifactType' } : {}) });
    res.end(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
    return true;
  }
  if ((m = /^\/v2\/(.+)\/tags\/list$/.exec(p)) && method === 'GET') {
    if (!ctx.authorize(m[1]!, 'pull')) return true;
    const tags = [...(ctx.tags.get(m[1]!)?.keys() ?? [])].sort();
    if (!tags.length && !s.manifests.has(m[1]!)) return (ociError(res, 404, 'NAME_UNKNOWN', 'repository name not known to registry'), true);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ name: m[1], tags }));
    return true;
  }
  return false;
}

function commitBlob(s: OciStore, res: ServerResponse, repository: string, digest: string, bytes: Buffer): void {
  if (!DIGEST.test(digest) || sha256(bytes) !== digest)
    return ociError(res, 400, 'DIGEST_INVALID', 'provided digest did not match uploaded content');
  s.blobs.set(digest, bytes);
  res.writeHead(201, { location: `/v2/${repository}/blobs/${digest}`, 'docker-content-digest': digest, 'content-length': '0' });
  res.end();
}

/** Push a small, real image (config blob + OCI manifest) the way a build would; its digest. */
export function pushImage(
  s: OciStore,
  tags: Map<string, Map<string, string>>,
  repository: string,
  tag?: string,
  labels: Record<string, string> = {},
): string {
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Labels: labels },
      rootfs: { type: 'layers', diff_ids: [] },
      created: new Date().toISOString(),
      nonce: randomUUID(),
    }),
  );
  const configDigest = sha256(config);
  s.blobs.set(configDigest, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: [],
    }),
  );
  const put = putManifest(s, repository, manifest, OCI_MANIFEST);
  if (!('digest' in put)) throw new Error(put.message);
  if (tag) {
    putTag(tags, repository, tag, put.digest);
  }
  return put.digest;
}
