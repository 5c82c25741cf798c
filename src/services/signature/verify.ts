/**
 * The signature gate's judgement (pure): does any signature found for a digest vouch for exactly that
 * digest and verify against one of the trusted keys? A signature is the base64 of the signer's
 * signature over the payload bytes as stored (cosign: ECDSA/RSA over SHA-256, Ed25519 over the bytes).
 */
import { verify as cryptoVerify } from 'node:crypto';
import type { SignatureCandidate } from '../ports.js';
import type { TrustedKey } from './keys.js';
import { payloadDigest } from './payload.js';

export type { SignatureCandidate } from '../ports.js';

export interface SignatureJudgement {
  outcome: 'verified' | 'unsigned' | 'invalid';
  /** One line for people (timeline, status, issue). */
  summary: string;
  /** The key that verified it. */
  keyId?: string;
  source?: string;
  /** Why each candidate was refused (bounded). */
  refused: { source: string; why: string }[];
}

const MAX_SIGNATURE_B64 = 4096;

function verifyWith(k: TrustedKey, payload: Uint8Array, sig: Buffer): boolean {
  try {
    return cryptoVerify(k.type === 'ed25519' ? null : 'sha256', payload, k.key, sig);
  } catch {
    return false; // a malformed DER signature is a refusal, not a crash
  }
}

export function judgeSignatures(
  digest: string,
  candidates: SignatureCandidate[],
  keys: TrustedKey[],
  found: string[] = [],
): SignatureJudgement {
  const refused: SignatureJudgement['refused'] = [];
  for (const c of candidates) {
    const bound = payloadDigest(c.payload);
    if (!bound.ok) {
      refused.push({ source: c.source, why: bound.error });
      continue;
    }
    if (bound.digest !== digest) {
      refused.push({ source: c.source, why: `signed for another digest (${bound.digest.slice(0, 80)})` });
      continue;
    }
    if (!c.signature || c.signature.length > MAX_SIGNATURE_B64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(c.signature)) {
      refused.push({ source: c.source, why: 'signature annotation missing or not base64' });
      continue;
    }
    const sig = Buffer.from(c.signature, 'base64');
    const key = keys.find((k) => verifyWith(k, c.payload, sig));
    if (key)
      return {
        outcome: 'verified',
        summary: `signed for ${digest} by key ${key.id} (${c.source})`,
        keyId: key.id,
        source: c.source,
        refused: refused.slice(0, 10),
      };
    refused.push({
      source: c.source,
      why: `signature does not verify against the trusted key${keys.length > 1 ? 's' : ''} (${keys.map((k) => k.id).join(', ')})`,
    });
  }
  const where = found.length ? ` (looked in: ${found.join('; ')})` : '';
  if (candidates.length === 0) return { outcome: 'unsigned', summary: `no cosign signature found for ${digest}${where}`, refused };
  return {
    outcome: 'invalid',
    summary: `${candidates.length} signature${candidates.length > 1 ? 's' : ''} found for ${digest}, none valid: ${refused[0]?.why ?? 'refused'}`,
    refused: refused.slice(0, 10),
  };
}
