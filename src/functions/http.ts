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

/**
 * The whole body, unless its declared size or what arrives passes `max`: reading stops at the limit
 * (a chunked body has no size to check first) and nothing read is kept.
 */
export async function boundedBody(req: HttpRequest, max: number): Promise<Uint8Array | 'too-large'> {
  const read = await streamBody(req, max);
  if (read === 'too-large' || read === 'stopped') return 'too-large';
  return read.chunks.length === 1 && read.chunks[0] ? read.chunks[0] : Buffer.concat(read.chunks, read.size);
}

/**
 * Reads the body chunk by chunk, handing each to `seen` as it arrives, and stops reading (cancels
 * the stream) as soon as it is over `max` or `seen` says stop: nothing past the limit is kept.
 */
export async function streamBody(
  req: HttpRequest,
  max: number,
  seen: (chunk: Uint8Array) => 'go-on' | 'stop' = () => 'go-on',
): Promise<{ chunks: Uint8Array[]; size: number } | 'too-large' | 'stopped'> {
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (Number.isFinite(declared) && declared > max) return 'too-large';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = (req.body as ReadableStream<Uint8Array> | null)?.getReader();
  if (!reader) return { chunks, size };
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { chunks, size };
    size += value.byteLength;
    const over = size > max;
    if (over || seen(value) === 'stop') {
      await reader.cancel().catch(() => undefined);
      return over ? 'too-large' : 'stopped';
    }
    chunks.push(value);
  }
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
