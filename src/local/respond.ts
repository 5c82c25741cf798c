/**
 * Writing a handler's answer to the socket the way the Functions host does. The common answer — a
 * plain init with a JSON or text body and plain headers — is written directly: converting it
 * through HttpResponse (a web Response, a Headers object and a body stream read back into bytes)
 * was a fifth of the local host's CPU per webhook acknowledgement (bench/ack-profile.ts, #19).
 * Anything else goes through HttpResponse as before. Both give the same status, headers and body
 * (test/unit/local/respond.test.ts holds them side by side).
 */
import type { ServerResponse } from 'node:http';
import type { HttpResponseInit } from '@azure/functions';
import { HttpResponse } from '../functions/azure-functions.js';

/** Statuses a web Response refuses a body for (HttpResponse drops it). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

export async function respond(res: ServerResponse, init: HttpResponseInit | HttpResponse): Promise<void> {
  if (!(init instanceof HttpResponse) && direct(res, init)) return;
  return viaLibrary(res, init);
}

/** The answer written as HttpResponse would make it, when it is a plain one; false to leave it to HttpResponse. */
function direct(res: ServerResponse, init: HttpResponseInit): boolean {
  const { status = 200, headers = {}, body, cookies } = init;
  const jsonBody: unknown = init.jsonBody;
  if ((cookies && cookies.length > 0) || init.enableContentNegotiation) return false;
  if (typeof headers !== 'object' || Array.isArray(headers) || headers instanceof Headers) return false;
  const hasJson = jsonBody !== undefined && jsonBody !== null;
  if (!hasJson && body !== undefined && body !== null && typeof body !== 'string') return false;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    if (typeof value !== 'string') return false;
    const k = name.toLowerCase();
    // Headers trims values and joins repeated names (differing in case) with ", ".
    out[k] = out[k] === undefined ? value.trim() : `${out[k]}, ${value.trim()}`;
  }
  let text = '';
  if (!NULL_BODY.has(status)) {
    if (hasJson) {
      text = JSON.stringify(jsonBody);
      out['content-type'] ??= 'application/json';
    } else if (typeof body === 'string') {
      text = body;
      out['content-type'] ??= 'text/plain;charset=UTF-8';
    }
  }
  res.writeHead(status, out);
  res.end(text);
  return true;
}

async function viaLibrary(res: ServerResponse, init: HttpResponseInit | HttpResponse): Promise<void> {
  const response = init instanceof HttpResponse ? init : new HttpResponse(init);
  const headers: Record<string, string> = {};
  response.headers.forEach((v, k) => (headers[k] = v));
  const body = Buffer.from(await response.arrayBuffer());
  res.writeHead(response.status, headers);
  res.end(body);
}

/** For the equivalence test: the library's rendering of an init. */
export const respondViaLibrary = viaLibrary;
