/**
 * cosign's "simple signing" payload (containers/image's signature format, as cosign writes it):
 *   {"critical":{"identity":{"docker-reference":…},"image":{"docker-manifest-digest":"sha256:…"},
 *    "type":"cosign container image signature"},"optional":{…}}
 * Only the fields the gate relies on are read; the digest binds the signature to one image.
 */
import { z } from 'zod';

export const SIMPLE_SIGNING_TYPE = 'cosign container image signature';

export const SimpleSigning = z.object({
  critical: z.object({
    identity: z.object({ 'docker-reference': z.string().max(1024).optional() }).optional(),
    image: z.object({ 'docker-manifest-digest': z.string().max(200) }),
    type: z.string().max(200),
  }),
});
export type SimpleSigning = z.infer<typeof SimpleSigning>;

/** The digest a payload vouches for, or why it vouches for none. */
export function payloadDigest(payload: Uint8Array): { ok: true; digest: string; reference?: string } | { ok: false; error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    return { ok: false, error: 'payload is not JSON' };
  }
  const p = SimpleSigning.safeParse(parsed);
  if (!p.success) return { ok: false, error: 'payload is not a simple-signing document (critical.image.docker-manifest-digest missing)' };
  if (p.data.critical.type.toLowerCase() !== SIMPLE_SIGNING_TYPE)
    return { ok: false, error: `payload type is "${p.data.critical.type.slice(0, 60)}", not "${SIMPLE_SIGNING_TYPE}"` };
  const reference = p.data.critical.identity?.['docker-reference'];
  return { ok: true, digest: p.data.critical.image['docker-manifest-digest'], ...(reference ? { reference } : {}) };
}
