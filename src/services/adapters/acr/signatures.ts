/**
 * Finds the cosign signatures a registry holds for one digest, both ways cosign stores them: OCI 1.1
 * referrers (GET /v2/<repo>/referrers/<digest>) and the tag convention (`sha256-<hex>.sig`). Every read
 * is bounded (size, count) and every document is checked against the digest it was fetched by, so a
 * hostile or broken registry yields refusals, never a crash or an unbounded read. Judging what is found
 * is the pipeline's (services/signature); this only fetches.
 */
import { type Result, ok, err } from '../../domain/result.js';
import { isDigest, isRepository } from '../../domain/image-ref.js';
import type { ScanTarget, SignatureCandidate, SignatureLookup } from '../../ports.js';
import { fromThrown, invalid } from './errors.js';
import type { RegistryOptions } from './registry.js';
import { createRegistryTokens, failed, pullSend, safeJson } from './registry-token.js';
import { bytesOf, readBlob, sha256 } from './blob.js';
import {
  COSIGN_SIG_ARTIFACT,
  Descriptor,
  MANIFEST_TYPES,
  OCI_INDEX,
  ReferrersIndex,
  SIGNATURE_ANNOTATION,
  SIMPLE_SIGNING_MEDIA_TYPE,
  SignatureManifest,
} from './signature-schema.js';

export const SIGNATURE_LIMITS = {
  /** A referrers index or a signature manifest larger than this is refused unread. */
  manifestBytes: 256 * 1024,
  /** A simple-signing payload is a few hundred bytes; this is generous. */
  payloadBytes: 64 * 1024,
  /** Signature manifests looked at per digest (referrers beyond this are skipped, and said so). */
  manifests: 16,
  /** Payloads fetched per digest, over all manifests. */
  payloads: 32,
};

type Limits = typeof SIGNATURE_LIMITS;

export function createSignatureFinder(o: RegistryOptions, limits: Limits = SIGNATURE_LIMITS) {
  const base = o.endpoint.replace(/\/+$/, '');
  const tokens = o.tokens ?? createRegistryTokens({ ...o, base });

  return async (target: Pick<ScanTarget, 'repository' | 'digest'>): Promise<Result<SignatureLookup>> => {
    const { repository, digest } = target;
    if (!isRepository(repository) || !isDigest(digest)) return err(invalid(`not a repository and digest: ${repository}@${digest}`));
    try {
      const session = await pullSend(tokens, o.send, repository);
      if (!session.ok) return session;
      const authorized = session.value;
      const get = (path: string, accept: string, limitBytes: number) =>
        authorized({ method: 'GET', url: `${base}/v2/${repository}/${path}`, headers: { accept }, limitBytes });

      const looked: string[] = [];
      const notes: string[] = [];
      const manifests: { source: string; body: Buffer }[] = [];

      // 1. OCI 1.1 referrers. 404 means the registry has no referrers API (the tag convention still applies).
      const refs = await get(
        `referrers/${digest}?artifactType=${encodeURIComponent(COSIGN_SIG_ARTIFACT)}`,
        OCI_INDEX,
        limits.manifestBytes,
      );
      if (refs.status === 200 && !refs.tooLarge) {
        const listed = referrerDescriptors(bytesOf(refs), notes);
        looked.push(`referrers: ${listed.length} signature manifest${listed.length === 1 ? '' : 's'}`);
        if (listed.length > limits.manifests) notes.push(`referrers: only the first ${limits.manifests} of ${listed.length} were read`);
        for (const d of listed.slice(0, limits.manifests)) {
          if (d.size > limits.manifestBytes) {
            notes.push(`referrer ${d.digest.slice(0, 19)}: manifest of ${d.size} bytes refused unread`);
            continue;
          }
          const m = await get(`manifests/${d.digest}`, MANIFEST_TYPES.join(', '), limits.manifestBytes);
          if (m.status !== 200) {
            if (m.status === 404) notes.push(`referrer ${d.digest.slice(0, 19)}: manifest not found`);
            else return failed(o, m, `signature manifest ${d.digest}`);
          } else if (m.tooLarge || sha256(bytesOf(m)) !== d.digest) {
            notes.push(`referrer ${d.digest.slice(0, 19)}: manifest too large or not matching its digest`);
          } else manifests.push({ source: `referrer ${d.digest.slice(0, 19)}`, body: bytesOf(m) });
        }
      } else if (refs.status === 200) notes.push(`referrers: index larger than ${limits.manifestBytes} bytes refused unread`);
      else if (refs.status === 404) looked.push('referrers: none (API not offered)');
      else return failed(o, refs, `referrers of ${digest}`);

      // 2. The tag convention cosign uses by default: <alg>-<hex>.sig.
      const tag = `${digest.replace(':', '-')}.sig`;
      const t = await get(`manifests/${tag}`, MANIFEST_TYPES.join(', '), limits.manifestBytes);
      if (t.status === 200) {
        if (t.tooLarge) notes.push(`tag ${tag}: manifest larger than ${limits.manifestBytes} bytes refused unread`);
        else manifests.push({ source: `tag ${tag}`, body: bytesOf(t) });
        looked.push(`tag ${tag}`);
      } else if (t.status === 404) looked.push(`tag ${tag}: none`);
      else return failed(o, t, `signature tag ${tag}`);

      // 3. The payload layers, each checked against its digest.
      const candidates: SignatureCandidate[] = [];
      const seen = new Set<string>();
      let budget = limits.payloads;
      for (const m of manifests) {
        for (const layer of signatureLayers(m.body, m.source, notes)) {
          if (seen.has(layer.digest)) continue;
          seen.add(layer.digest);
          if (budget-- <= 0) {
            notes.push(`only the first ${limits.payloads} signature payloads were read`);
            break;
          }
          if (layer.size > limits.payloadBytes) {
            notes.push(`${m.source}: payload of ${layer.size} bytes refused unread`);
            continue;
          }
          const blob = await readBlob(o, {
            authorized,
            plain: o.send,
            base,
            repository,
            digest: layer.digest,
            limitBytes: limits.payloadBytes,
            verify: true,
            what: `signature payload ${layer.digest}`,
          });
          if (!blob.ok) return blob;
          if (blob.value.kind !== 'ok') {
            notes.push(`${m.source}: payload ${layer.digest.slice(0, 19)} missing, too large or not matching its digest`);
            continue;
          }
          candidates.push({ source: m.source, payload: blob.value.bytes, signature: layer.annotations?.[SIGNATURE_ANNOTATION] ?? '' });
        }
      }
      return ok({ candidates, looked, notes: notes.slice(0, 20) });
    } catch (e) {
      return err(fromThrown(e, `signatures of ${repository}@${digest}`, o.redact, o.clock));
    }
  };
}

function referrerDescriptors(body: Buffer, notes: string[]): Descriptor[] {
  const index = ReferrersIndex.safeParse(safeJson(body.toString('utf8')));
  if (!index.success) {
    notes.push('referrers: answer is not an image index');
    return [];
  }
  return index.data.manifests.flatMap((x) => {
    const d = Descriptor.safeParse(x);
    // The artifactType filter is optional for registries (OCI distribution-spec): apply it here too.
    return d.success && d.data.artifactType === COSIGN_SIG_ARTIFACT && MANIFEST_TYPES.includes(d.data.mediaType) ? [d.data] : [];
  });
}

function signatureLayers(body: Buffer, source: string, notes: string[]): Descriptor[] {
  const m = SignatureManifest.safeParse(safeJson(body.toString('utf8')));
  if (!m.success) {
    notes.push(`${source}: not an image manifest`);
    return [];
  }
  if (m.data.mediaType && !MANIFEST_TYPES.includes(m.data.mediaType)) {
    notes.push(`${source}: media type ${m.data.mediaType.slice(0, 80)} is not an image manifest`);
    return [];
  }
  return m.data.layers.flatMap((x) => {
    const d = Descriptor.safeParse(x);
    return d.success && d.data.mediaType === SIMPLE_SIGNING_MEDIA_TYPE ? [d.data] : [];
  });
}
