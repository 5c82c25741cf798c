/**
 * A counting pass-through in front of azurite's table and queue ports: how many storage requests
 * a server makes per acknowledgement. Used only for the count (a separate run), never while
 * latency is measured: the extra hop would colour it.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { azuriteConnectionString, type Azurite } from '../src/local/azurite.js';

export interface CountingProxy {
  connectionString: string;
  counts(): { table: number; queue: number };
  reset(): void;
  stop(): Promise<void>;
}

async function forward(target: number, onRequest: () => void): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    onRequest();
    const up = request({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

export async function countingProxy(azurite: Azurite): Promise<CountingProxy> {
  let table = 0;
  let queue = 0;
  const t = await forward(azurite.ports.table, () => table++);
  const q = await forward(azurite.ports.queue, () => queue++);
  return {
    // Blob is not proxied: neither server touches it on the acknowledgement path.
    connectionString: azuriteConnectionString('127.0.0.1', { blob: azurite.ports.blob, queue: q.port, table: t.port }),
    counts: () => ({ table, queue }),
    reset: () => {
      table = 0;
      queue = 0;
    },
    stop: async () => {
      for (const s of [t.server, q.server]) {
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
    },
  };
}
