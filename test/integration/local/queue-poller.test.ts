/**
 * The local host's queue poller takes host.json's batch settings as the Functions host does (#19):
 * `batchSize` messages a fetch, and the next fetch as soon as no more than `newBatchThreshold`
 * are still running — so up to batchSize + newBatchThreshold in flight, never more, and a slow
 * message does not hold back the next batch. (Before, it always fetched 16 and waited for all.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueClient } from '@azure/storage-queue';
import type { Azurite } from '../../../src/local/azurite.js';
import { startQueuePoller } from '../../../src/local/queue-poller.js';
import { silentLogger } from '../../../src/services/logger.js';
import { uniqueName, withAzurite } from '../../helpers/azurite.js';

let azurite: Azurite;
beforeAll(async () => (azurite = await withAzurite()));
afterAll(async () => azurite?.stop());

describe('queue poller batches', () => {
  it('batchSize 4, newBatchThreshold 2: more than 4 in flight at once, never more than 6; every message handled once', async () => {
    const name = uniqueName('q');
    const queue = new QueueClient(azurite.connectionString, name);
    const poison = new QueueClient(azurite.connectionString, `${name}-poison`);
    await queue.createIfNotExists();
    const total = 16;
    for (let i = 0; i < total; i++) await queue.sendMessage(Buffer.from(JSON.stringify({ i })).toString('base64'));
    let running = 0;
    let most = 0;
    const seen: number[] = [];
    const poller = startQueuePoller(
      'test',
      {
        queueName: name,
        connection: 'AzureWebJobsStorage',
        // Uneven lengths: half of each batch ends early, the rest holds on while the next batch runs.
        handler: async (m) => {
          const { i } = m as { i: number };
          running++;
          most = Math.max(most, running);
          await new Promise((r) => setTimeout(r, i % 2 === 0 ? 20 : 600));
          seen.push(i);
          running--;
        },
      },
      queue,
      poison,
      silentLogger,
      { idleMs: 20, batchSize: 4, newBatchThreshold: 2 },
    );
    const until = Date.now() + 30_000;
    while (seen.length < total && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    await poller.stop();
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(most).toBeGreaterThan(4);
    expect(most).toBeLessThanOrEqual(6);
  });
});
