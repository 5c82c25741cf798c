/**
 * The local host keeps an idle connection as long as the Functions host does (Kestrel's 130 s
 * keep-alive), not Node's 5 s. A client reuses a pooled connection until the server's advertised
 * timeout less a margin (undici: 2 s); a host whose event loop stalls longer than that margin —
 * 1–6 s measured in the 3-host storm at load 8–11 — closes connections a request was just written
 * to, and the sender sees ECONNRESET. With 130 s that race needs a stall at the very end of two idle minutes.
 */
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpHost, KEEP_ALIVE_MS } from '../../../src/local/http-server.js';
import type { HttpRegistration } from '../../../src/functions/registrar.js';

let server: ReturnType<typeof createHttpHost>;
let port: number;
beforeAll(async () => {
  const http = new Map<string, HttpRegistration>([
    ['ping', { route: 'ping', methods: ['GET'], authLevel: 'anonymous', handler: () => Promise.resolve({ status: 200, body: 'pong' }) }],
  ]);
  const logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => logger } as never;
  server = createHttpHost({ http, eventGrid: new Map(), functionKey: 'k', logger });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function get(): Promise<{ status: number; keepAlive: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/ping', headers: { connection: 'keep-alive' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, keepAlive: res.headers['keep-alive']?.toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('local host keep-alive', () => {
  it('advertises and keeps idle connections for 130 s, as the Functions host (Kestrel) does', async () => {
    const res = await get();
    expect(res.status).toBe(200);
    // What a pooling client reads to decide how long it may reuse the connection.
    expect(res.keepAlive).toBe('timeout=130');
    expect(server.keepAliveTimeout).toBe(KEEP_ALIVE_MS);
    expect(KEEP_ALIVE_MS).toBe(130_000);
  });
});
