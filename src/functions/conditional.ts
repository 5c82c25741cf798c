/**
 * Conditional GETs: every answer carries a strong ETag of its JSON, and a request whose
 * If-None-Match names it gets 304 with no body. Pollers (the dashboard, scripts) then pay for
 * the store read but not for sending or parsing an unchanged answer (RFC 9110 §13.1.2).
 */
import { createHash } from 'node:crypto';
import type { HttpRequest, HttpResponseInit } from '@azure/functions';

export const etagOf = (text: string): string => `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`;

/** True when If-None-Match lists this tag (or "*"); weak and strong forms compare equal for GET. */
export function notModified(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}

export function conditionalJson(req: HttpRequest, body: unknown): HttpResponseInit {
  const text = JSON.stringify(body);
  const etag = etagOf(text);
  // no-cache: caches may keep it but must ask again; the ETag makes asking cheap.
  const headers = { etag, 'cache-control': 'no-cache' };
  if (notModified(req.headers.get('if-none-match'), etag)) return { status: 304, headers };
  return { status: 200, body: text, headers: { ...headers, 'content-type': 'application/json; charset=utf-8' } };
}
