/**
 * One blob of a repository by digest, bounded: a body larger than the limit is refused unread (a hostile
 * or broken registry cannot make the function read without end). ACR answers blob GETs with a redirect
 * to storage, followed once without the registry token.
 */
import { createHash } from 'node:crypto';
import { type Result, ok } from '../../domain/result.js';
import type { HttpResponse, HttpSend } from './https.js';
import { failed, type RegistryTokenOptions } from './registry-token.js';

export type BlobRead = { kind: 'ok'; bytes: Buffer } | { kind: 'missing' } | { kind: 'too-large' } | { kind: 'mismatch' };

export const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
export const bytesOf = (res: HttpResponse) => res.raw ?? Buffer.from(res.body, 'utf8');

export interface BlobRequest {
  /** Sends with the repository's pull token (registry-token.ts pullSend). */
  authorized: HttpSend;
  /** Sends without it: the storage redirect must not carry the registry token. */
  plain: HttpSend;
  base: string;
  repository: string;
  digest: string;
  limitBytes: number;
  /** Check the bytes against the digest (a mismatch is refused). */
  verify: boolean;
  /** What the blob is, for errors. */
  what: string;
}

export async function readBlob(o: Pick<RegistryTokenOptions, 'redact' | 'clock'>, b: BlobRequest): Promise<Result<BlobRead>> {
  let res = await b.authorized({ method: 'GET', url: `${b.base}/v2/${b.repository}/blobs/${b.digest}`, limitBytes: b.limitBytes });
  const location = res.headers.location;
  if ([301, 302, 303, 307, 308].includes(res.status) && location)
    res = await b.plain({ method: 'GET', url: new URL(location, b.base).toString(), limitBytes: b.limitBytes });
  if (res.status === 404) return ok({ kind: 'missing' });
  if (res.status !== 200) return failed(o, res, b.what);
  if (res.tooLarge) return ok({ kind: 'too-large' });
  const bytes = bytesOf(res);
  if (b.verify && sha256(bytes) !== b.digest) return ok({ kind: 'mismatch' });
  return ok({ kind: 'ok', bytes });
}
