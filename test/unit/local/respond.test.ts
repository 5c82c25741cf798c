/**
 * The local host writes plain answers directly instead of converting them through HttpResponse
 * (#19, for the acknowledgement's CPU): for every kind of init the two must put the same status,
 * headers (but the framing ones) and body on the wire.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpResponseInit } from '@azure/functions';
import { respond, respondViaLibrary } from '../../../src/local/respond.js';
import { HttpResponse } from '../../../src/functions/azure-functions.js';

let render: (res: ServerResponse) => Promise<void> = () => Promise.resolve();
const server = createServer((_req, res) => void render(res).catch((e: unknown) => res.destroy(e as Error)));
let base = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const FRAMING = new Set(['content-length', 'transfer-encoding', 'date', 'connection', 'keep-alive']);
async function seen(write: (res: ServerResponse) => Promise<void>) {
  render = write;
  const r = await fetch(base);
  const headers = Object.fromEntries([...r.headers].filter(([k]) => !FRAMING.has(k)));
  return { status: r.status, headers, body: await r.text() };
}

const cases: [string, HttpResponseInit][] = [
  ['JSON body, 202', { status: 202, jsonBody: { releaseIds: ['r-1-abcdef'] } }],
  ['JSON body, no status', { jsonBody: { ok: true, n: 1.5, s: 'ü ✓' } }],
  ['JSON with its own content type', { status: 200, jsonBody: { a: 1 }, headers: { 'Content-Type': 'application/problem+json' } }],
  ['problem with retry-after', { status: 503, jsonBody: { error: 'busy' }, headers: { 'retry-after': '5' } }],
  ['text body', { status: 400, body: 'bad input' }],
  ['text body with a content type', { status: 200, body: '<p>hi</p>', headers: { 'content-type': 'text/html; charset=utf-8' } }],
  ['no body', { status: 405, headers: { allow: 'GET, POST' } }],
  ['204 with a JSON body (dropped)', { status: 204, jsonBody: { dropped: true } }],
  ['304 with a text body (dropped)', { status: 304, body: 'x', headers: { etag: '"abc"' } }],
  ['header values trimmed, names joined across case', { status: 200, body: 'x', headers: { 'X-A': ' one ', 'x-a': 'two' } }],
  ['JSON null as the body', { status: 200, jsonBody: null, body: 'fallback' }],
  ['empty init', {}],
];

describe('the local host answers plain inits directly, as HttpResponse would', () => {
  it.each(cases)('%s', async (_name, init) => {
    const viaLibrary = await seen((res) => respondViaLibrary(res, init));
    const direct = await seen((res) => respond(res, init));
    expect(direct).toEqual(viaLibrary);
  });

  it('an HttpResponse object, a Headers instance or a binary body still go through HttpResponse', async () => {
    // Factories: a response body can be read once.
    const inits: (() => HttpResponseInit | HttpResponse)[] = [
      () => new HttpResponse({ status: 201, jsonBody: { made: true } }),
      () => ({ status: 200, headers: new Headers({ etag: '"x"' }), jsonBody: { a: 1 } }),
      () => ({ status: 200, body: new Uint8Array([104, 105]) }),
    ];
    for (const init of inits) {
      const direct = await seen((res) => respond(res, init()));
      expect(direct).toEqual(await seen((res) => respondViaLibrary(res, init())));
      expect(direct.status).not.toBe(500);
    }
  });
});
