/** Small helpers shared by the HTTP triggers: JSON answers, header reading, bounded bodies. */
import type { HttpHandler, HttpRequest, HttpResponseInit } from '@azure/functions';
import type { Logger } from '../services/ports.js';
import { UnavailableError } from '../services/unavailable.js';

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit => ({
  status,
  jsonBody: body,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
});

export const problem = (status: number, error: string, extra: Record<string, unknown> = {}): HttpResponseInit =>
  json(status, { error, ...extra });

/** Reads the body unless the declared or actual size exceeds the limit. */
export async function boundedBody(req: HttpRequest, max: number): Promise<Uint8Array | 'too-large'> {
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (Number.isFinite(declared) && declared > max) return 'too-large';
  const bytes = new Uint8Array(await req.arrayBuffer());
  return bytes.byteLength > max ? 'too-large' : bytes;
}

export function mediaType(req: HttpRequest): string {
  return (req.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** The Entra principal App Service authentication puts in x-ms-client-principal, when present. */
export function principalOf(req: HttpRequest): string | undefined {
  const u = req.user;
  if (u) return u.username || u.id || undefined;
  const name = req.headers.get('x-ms-client-principal-name');
  return name ?? undefined;
}

/** A dependency that did not answer is the sender's cue to try again later: 503 with Retry-After, never a bare 500. */
export function answeringUnavailable(name: string, handler: HttpHandler, logger: Logger): HttpHandler {
  return async (req, ctx) => {
    try {
      return await handler(req, ctx);
    } catch (e) {
      if (!(e instanceof UnavailableError)) throw e;
      logger.warn('dependency unavailable; answered 503', { function: name, system: e.system, error: e.message });
      return json(503, { error: `${e.message}; nothing was accepted, try again later` }, { 'retry-after': String(e.retryAfterSeconds) });
    }
  };
}
