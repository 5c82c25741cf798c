/**
 * GitHub's X-Hub-Signature-256: HMAC-SHA256 of the raw body, hex, prefixed "sha256=".
 * Verified on the bytes as received (re-serialised JSON does not verify), in constant time,
 * against the current secret and, during rotation, the previous one.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureCheck = { ok: true; secret: 'current' | 'previous' } | { ok: false; reason: string };

const FORMAT = /^sha256=[0-9a-f]{64}$/;

export function sign(secret: string, body: Uint8Array | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function verifySignature(
  body: Uint8Array,
  header: string | null,
  secrets: { current: string; previous?: string | undefined },
): SignatureCheck {
  if (!header) return { ok: false, reason: 'missing X-Hub-Signature-256 header' };
  const given = header.trim().toLowerCase();
  if (!FORMAT.test(given)) return { ok: false, reason: 'X-Hub-Signature-256 must be "sha256=" followed by 64 hex digits' };
  const matches = (secret: string) => {
    const a = Buffer.from(sign(secret, body));
    const b = Buffer.from(given);
    return a.length === b.length && timingSafeEqual(a, b);
  };
  if (matches(secrets.current)) return { ok: true, secret: 'current' };
  if (secrets.previous && matches(secrets.previous)) return { ok: true, secret: 'previous' };
  return { ok: false, reason: 'signature does not match the configured webhook secret' };
}
