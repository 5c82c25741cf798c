/**
 * GitHub's X-Hub-Signature-256: HMAC-SHA256 of the raw body, hex, prefixed "sha256=".
 * Verified on the bytes as received (re-serialised JSON does not verify), in constant time,
 * against the current secret and, during rotation, the previous one. The HMAC is computed while
 * the body is read, so a request without a well-formed signature is refused before any of it is.
 */
import { createHmac, timingSafeEqual, type Hmac } from 'node:crypto';

export type SignatureCheck = { ok: true; secret: 'current' | 'previous' } | { ok: false; reason: string };

const FORMAT = /^sha256=[0-9a-f]{64}$/;

export interface Secrets {
  current: string;
  previous?: string | undefined;
}

export function sign(secret: string, body: Uint8Array | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Checks the body as it arrives, chunk by chunk; `verdict()` once it has all been seen. */
export interface SignatureVerifier {
  update(chunk: Uint8Array): void;
  verdict(): SignatureCheck;
}

/** A verifier for this header, or why the header alone already fails (missing, malformed). */
export function signatureVerifier(header: string | null, secrets: Secrets): SignatureVerifier | { ok: false; reason: string } {
  if (!header) return { ok: false, reason: 'missing X-Hub-Signature-256 header' };
  const given = Buffer.from(header.trim().toLowerCase());
  if (!FORMAT.test(given.toString())) return { ok: false, reason: 'X-Hub-Signature-256 must be "sha256=" followed by 64 hex digits' };
  const macs: [SignatureCheck & { ok: true }, Hmac][] = [[{ ok: true, secret: 'current' }, createHmac('sha256', secrets.current)]];
  if (secrets.previous) macs.push([{ ok: true, secret: 'previous' }, createHmac('sha256', secrets.previous)]);
  return {
    update(chunk) {
      for (const [, mac] of macs) mac.update(chunk);
    },
    verdict() {
      for (const [which, mac] of macs) {
        const expected = Buffer.from(`sha256=${mac.digest('hex')}`);
        if (expected.length === given.length && timingSafeEqual(expected, given)) return which;
      }
      return { ok: false, reason: 'signature does not match the configured webhook secret' };
    },
  };
}

export function verifySignature(body: Uint8Array, header: string | null, secrets: Secrets): SignatureCheck {
  const v = signatureVerifier(header, secrets);
  if ('ok' in v) return v;
  v.update(body);
  return v.verdict();
}
