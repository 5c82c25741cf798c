/**
 * Who is asking, from the headers App Service Authentication sets after sign-in (it removes any
 * that a client sends itself): the provider (`x-ms-client-principal-idp`: `aad` for Entra ID,
 * `github` for GitHub), the name (UPN or GitHub login), the object id, and the claims — Entra
 * groups among them — in `x-ms-client-principal` (base64 JSON). Nothing there → no identity.
 */
import { z } from 'zod';
import type { Identity } from './principal.js';

const ClientPrincipal = z.object({
  auth_typ: z.string().optional(),
  claims: z
    .array(z.object({ typ: z.string(), val: z.string() }))
    .max(500)
    .default([]),
});

const OID_CLAIMS = ['http://schemas.microsoft.com/identity/claims/objectidentifier', 'oid'];
const NAME = /^[^\s:]{1,256}$/;

export type Headers = (name: string) => string | null | undefined;

export function identityFromHeaders(get: Headers): Identity | undefined {
  const name = get('x-ms-client-principal-name')?.trim();
  const idp = (get('x-ms-client-principal-idp') ?? 'aad').trim().toLowerCase();
  const claims = claimsOf(get('x-ms-client-principal'));
  if (!name || !NAME.test(name)) return undefined;
  if (idp === 'github') return { principal: `github:${name}`, aliases: [], groups: [] };
  if (idp !== 'aad' && idp !== 'entra') return undefined;
  const oid = get('x-ms-client-principal-id')?.trim() ?? claims.find((c) => OID_CLAIMS.includes(c.typ))?.val;
  return {
    principal: `entra:${name}`,
    aliases: oid && NAME.test(oid) ? [`entra:${oid}`] : [],
    groups: claims.filter((c) => c.typ === 'groups').map((c) => c.val),
  };
}

function claimsOf(header: string | null | undefined): { typ: string; val: string }[] {
  if (!header || header.length > 64 * 1024) return [];
  try {
    const parsed = ClientPrincipal.safeParse(JSON.parse(Buffer.from(header, 'base64').toString('utf8')));
    return parsed.success ? parsed.data.claims : [];
  } catch {
    return [];
  }
}
