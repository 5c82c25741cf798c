/**
 * The request path's queue deadline over a real socket: a storage that accepts the connection and
 * never answers is given up at the deadline (an abort, answered 503 by the doors), well before the
 * SDK's own retries would.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueServiceClient } from '@azure/storage-queue';
import { azuriteConnectionString } from '../../../src/local/azurite.js';
import { createAdmissionQueue } from '../../../src/services/adapters/storage/admission-queue.js';
import { createWorkQueue } from '../../../src/services/adapters/storage/work-queue.js';
import { isStorageUnavailable } from '../../../src/services/adapters/storage/unavailable.js';

let hung: Server;
const sockets: Socket[] = [];
let queues: QueueServiceClient;
beforeAll(async () => {
  hung = createServer((s) => void sockets.push(s));
  await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
  const port = (hung.address() as AddressInfo).port;
  queues = QueueServiceClient.fromConnectionString(azuriteConnectionString('127.0.0.1', { blob: port, queue: port, table: port }));
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => hung.close(() => resolve()));
});

const DEADLINE_MS = 300;
const givenUp = async (call: () => Promise<unknown>) => {
  const started = performance.now();
  const e = await call().then(
    () => undefined,
    (err: unknown) => err,
  );
  return { e, ms: performance.now() - started };
};

describe('a queue that never answers, on the request path', () => {
  it('the admission queue gives up at the deadline with an outage, not after the SDK retries', async () => {
    const q = createAdmissionQueue(queues.getQueueClient('hung-admit'), { deadlineMs: DEADLINE_MS });
    const { e, ms } = await givenUp(() => q.send([{ door: 'github', key: 'k', acceptedAt: new Date().toISOString(), releases: [] }]));
    expect(isStorageUnavailable(e)).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS - 20);
    expect(ms).toBeLessThan(5_000);
  });

  it('so does the work queue', async () => {
    const q = createWorkQueue(queues.getQueueClient('hung-work'), { deadlineMs: DEADLINE_MS });
    const { e, ms } = await givenUp(() => q.enqueue({ releaseId: 'r-1', correlationId: 'c-1' }));
    expect(isStorageUnavailable(e)).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS - 20);
    expect(ms).toBeLessThan(5_000);
  });
});
