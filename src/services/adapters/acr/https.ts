/**
 * A minimal HTTPS client over node:https for the calls the ARM SDK does not make (registry data
 * plane, log blob download). It takes an optional CA so the sandbox's throw-away CA is trusted
 * explicitly and only for this adapter (never NODE_TLS_REJECT_UNAUTHORIZED=0).
 */
import { request as httpsRequest } from 'node:https';

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** A body larger than this is not read: the response comes back `tooLarge` (hostile or broken registries). */
  limitBytes?: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
  /** The body's exact bytes (digests are computed over these, never over a re-encoded string). */
  raw?: Buffer;
  /** Set when limitBytes was exceeded; body and raw are then empty. */
  tooLarge?: boolean;
}

export type HttpSend = (req: HttpRequest) => Promise<HttpResponse>;

export interface HttpsOptions {
  ca?: string;
  timeoutMs: number;
  /** Larger bodies are cut off here (a run log can be big; the report is at its end). */
  maxBytes: number;
}

/** Rejects only for network-level failures (DNS, TLS, reset, timeout); any HTTP status resolves. */
export function createHttpsSend(opts: HttpsOptions): HttpSend {
  return (req) =>
    new Promise<HttpResponse>((resolve, reject) => {
      const url = new URL(req.url);
      if (url.protocol !== 'https:') {
        reject(new Error(`refusing non-https URL for ${url.host}`));
        return;
      }
      const r = httpsRequest(
        url,
        {
          method: req.method,
          headers: { ...(req.headers ?? {}), ...(req.body !== undefined ? { 'content-length': String(Buffer.byteLength(req.body)) } : {}) },
          ...(opts.ca ? { ca: opts.ca } : {}),
          timeout: opts.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          const headers: Record<string, string | undefined> = {};
          for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
          const limit = req.limitBytes;
          const declared = Number(res.headers['content-length'] ?? NaN);
          if (limit !== undefined && declared > limit) {
            res.destroy();
            resolve({ status: res.statusCode ?? 0, headers, body: '', raw: Buffer.alloc(0), tooLarge: true });
            return;
          }
          res.on('data', (c: Buffer) => {
            if (limit !== undefined && size + c.length > limit) {
              res.destroy();
              resolve({ status: res.statusCode ?? 0, headers, body: '', raw: Buffer.alloc(0), tooLarge: true });
              return;
            }
            // Keep the tail: the scan report is printed at the end of a run log.
            chunks.push(c);
            size += c.length;
            while (size > opts.maxBytes && chunks.length > 1) size -= chunks.shift()!.length;
          });
          res.on('end', () => {
            const raw = Buffer.concat(chunks);
            resolve({ status: res.statusCode ?? 0, headers, body: raw.toString('utf8'), raw });
          });
          res.on('error', reject);
        },
      );
      r.on('timeout', () => r.destroy(new Error(`request to ${url.host} timed out after ${opts.timeoutMs} ms`)));
      r.on('error', reject);
      if (req.body !== undefined) r.write(req.body);
      r.end();
    });
}
