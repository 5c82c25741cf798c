/**
 * The public keys signatures are checked against: one or more PEM "PUBLIC KEY" blocks (cosign.pub),
 * so a key can be rotated by listing the new one beside the old. ECDSA (cosign's default, P-256),
 * Ed25519 and RSA keys are accepted; anything else is refused at start-up, never at deploy time.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import type { Result } from '../domain/result.js';

export interface TrustedKey {
  key: KeyObject;
  /** sha256 of the key's DER (SubjectPublicKeyInfo), first 16 hex: how records and issues name a key. */
  id: string;
  type: 'ec' | 'ed25519' | 'rsa';
}

const PEM_BLOCK = /-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g;
const MAX_KEYS = 10;

export function parsePublicKeys(text: string): Result<TrustedKey[], string> {
  // App settings often carry a PEM on one line with literal "\n" escapes.
  const pem = text.replace(/\\n/g, '\n');
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) return { ok: false, error: 'expected one or more PEM "PUBLIC KEY" blocks (cosign.pub)' };
  if (blocks.length > MAX_KEYS) return { ok: false, error: `at most ${MAX_KEYS} keys` };
  const keys: TrustedKey[] = [];
  for (const [i, block] of blocks.entries()) {
    let key: KeyObject;
    try {
      key = createPublicKey(block);
    } catch (e) {
      return { ok: false, error: `key ${i + 1} is not a readable public key: ${e instanceof Error ? e.message : String(e)}` };
    }
    const type = key.asymmetricKeyType;
    if (type !== 'ec' && type !== 'ed25519' && type !== 'rsa')
      return { ok: false, error: `key ${i + 1} is a ${type ?? 'unknown'} key (expected ECDSA, Ed25519 or RSA)` };
    const der = key.export({ type: 'spki', format: 'der' });
    keys.push({ key, type, id: createHash('sha256').update(der).digest('hex').slice(0, 16) });
  }
  return { ok: true, value: keys };
}
