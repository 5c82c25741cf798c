/**
 * A body over a trigger's limit is refused with 413 as soon as the limit is passed, without a
 * content-length to go by (chunked): the trigger stops reading there and keeps nothing, however much
 * the client still has to send. Through the local host's real HTTP server, as `npm start` serves it.
 */
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpHost } from '../../../src/local/http-server.js';
import { createDeploymentHandler, type DeploymentsDeps } from '../../../src/functions/deployments.js';
import { boundedBody } from '../../../src/functions/http.js';
import { HttpRequest } from '../../../src/functions/azure-functions.js';
import type { HttpRegistration } from '../../../src/functions/registrar.js';
import type { HttpRequestInit } from '@azure/functions';

const KEY = 'test-function-key-0123456789';
const CHUNK = 64 * 1024;
/** Far over the 64 KiB limit of POST /api/deployments, and over the host's own 100 MB too. */
const SEND_UP_TO = 200 * 1024 * 1024;

/** Deps the refusal must never reach: any use fails the test. */
const untouchable = new Proxy({} as DeploymentsDeps, {
  get: (_t, prop) => {
    if (prop === 'then') return undefined;
    throw new Error(`the refused request used deps.${String(prop)}`);
  },
});

let server: ReturnType<typeof createHttpHost>;
let port: number;
beforeAll(async () => {
  const http = new Map<string, HttpRegistration>([
    ['createDeployment', { route: 'deployments', methods: ['POST'], authLevel: 'function', handler: createDeploymentHandler(untouchable) }],
  ]);
  const logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => logger } as never;
  server = createHttpHost({ http, eventGrid: new Map(), functionKey: KEY, logger });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** POSTs chunks until the answer comes (or SEND_UP_TO is sent); how much was written by then. */
function sendUntilAnswered(): Promise<{ status: number; body: string; sentBytes: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/deployments',
        headers: { 'content-type': 'application/json', 'x-functions-key': KEY, 'transfer-encoding': 'chunked' },
      },
      (res) => {
        answered = true;
        const at = sent;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body, sentBytes: at });
          req.destroy();
        });
      },
    );
    req.on('error', (e) => (answered ? undefined : reject(e)));
    const chunk = Buffer.alloc(CHUNK, 0x20);
    const pump = () => {
      while (!answered && sent < SEND_UP_TO) {
        sent += CHUNK;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

describe('a body over the limit, streamed without a content-length', () => {
  it('is answered 413 by the trigger once past its limit, long before the client has sent it all', async () => {
    const out = await sendUntilAnswered();
    expect(out.status).toBe(413);
    expect(JSON.parse(out.body)).toEqual({ error: 'body exceeds 65536 bytes' });
    // What the client got to write before the answer: the limit plus socket and stream buffers, not 100 MB.
    expect(out.sentBytes).toBeLessThan(16 * 1024 * 1024);
  });

  it('reads no more than the limit and one chunk from the stream, and keeps nothing', async () => {
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled += CHUNK;
        c.enqueue(new Uint8Array(CHUNK));
        if (pulled >= SEND_UP_TO) c.close();
      },
    });
    const native = new Request('http://localhost/api/deployments', { method: 'POST', body: stream, duplex: 'half' });
    const req = new HttpRequest({ nativeRequest: native } as HttpRequestInit);
    expect(await boundedBody(req, 100_000)).toBe('too-large');
    // Two chunks of 64 KiB pass 100,000 bytes; the stream's queue may hold one more.
    expect(pulled).toBeLessThanOrEqual(3 * CHUNK);
  });

  it('still reads a body within the limit whole', async () => {
    const parts = ['{"app":', '"tailspin-server"', '}'];
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        const next = parts.shift();
        if (next === undefined) c.close();
        else c.enqueue(new TextEncoder().encode(next));
      },
    });
    const native = new Request('http://localhost/api/deployments', { method: 'POST', body: stream, duplex: 'half' });
    const body = await boundedBody(new HttpRequest({ nativeRequest: native } as HttpRequestInit), 100);
    expect(body).not.toBe('too-large');
    expect(Buffer.from(body as Uint8Array).toString('utf8')).toBe('{"app":"tailspin-server"}');
  });
});
