/**
 * An accepted event is never lost to the poison queue. The ACR door answers "accepted" once its claim
 * and its admission message are stored; if admission then fails five times (a storage outage of well
 * under a minute at a 1 s visibility timeout), the platform parks the message in the admission poison
 * queue — and before this, nothing ever looked there again: the release id stayed "pending" for good.
 * Here the host's queue consumers are parked, the message is moved to poison as the platform would,
 * and the sweeper, five minutes on, gives it back; admission then makes the release.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueClient } from '@azure/storage-queue';
import { startLocalHost, type LocalHost } from '../../src/local/host.js';
import { freePort } from '../../src/local/net.js';
import { silentLogger } from '../../src/services/logger.js';
import { storageNames } from '../../src/services/compose.js';
import { sweep } from '../../src/services/pipeline/sweeper.js';
import { repoRoot } from '../helpers/fixtures.js';
import { api, FUNCTION_KEY, postEvents, WEBHOOK_SECRET } from '../helpers/host.js';
import { digest } from '../helpers/releases.js';

let host: LocalHost;
beforeAll(async () => {
  const port = await freePort();
  host = await startLocalHost({
    root: repoRoot,
    port,
    azuritePorts: 'random',
    // Consumers parked (they look at an empty queue once, then rest an hour): this test moves the messages.
    queueIdleMs: 3_600_000,
    env: {
      GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
      TAILSPIN_LOCAL_FUNCTION_KEY: FUNCTION_KEY,
      TAILSPIN_SANDBOX: 'off',
      TAILSPIN_PUBLIC_URL: `http://localhost:${port}`,
    },
    overrides: { logger: silentLogger },
  });
}, 60_000);
afterAll(async () => host?.stop());

const queue = (name: string): QueueClient => host.services.storage.queue(name);
const admissionQueue = () => storageNames(host.config).admissionQueue;

/** Every message of `from` moved to `to` unchanged, as the platform moves one to poison. */
async function moveAll(from: QueueClient, to: QueueClient): Promise<number> {
  await to.createIfNotExists();
  const got = await from.receiveMessages({ numberOfMessages: 32 });
  for (const m of got.receivedMessageItems) {
    await to.sendMessage(m.messageText);
    await from.deleteMessage(m.messageId, m.popReceipt);
  }
  return got.receivedMessageItems.length;
}

async function admitAll(): Promise<void> {
  const got = await queue(admissionQueue()).receiveMessages({ numberOfMessages: 32 });
  for (const m of got.receivedMessageItems) {
    await host.services.intake.admitQueued(JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')), silentLogger);
    await queue(admissionQueue()).deleteMessage(m.messageId, m.popReceipt);
  }
}

const admission = async (id: string) => (await (await api(host, `/deployments/${id}`)).json()) as { admission?: string; phase?: string };

describe('the admission poison queue', { timeout: 60_000 }, () => {
  it('an accepted event parked there is given back by the sweeper and admitted', async () => {
    const event = {
      id: `parked-${randomBytes(4).toString('hex')}`,
      eventType: 'Microsoft.ContainerRegistry.ImagePushed',
      eventTime: new Date().toISOString(),
      dataVersion: '1.0',
      data: { target: { digest: digest(41), repository: 'tailspin-server', tag: 'v41' }, request: { host: 'tailspinacr.azurecr.io' } },
    };
    const answer = (await (await postEvents(host, [event])).json()) as { results: { outcome: string; releaseId?: string }[] };
    const id = answer.results[0]?.releaseId ?? '';
    expect(answer.results[0]?.outcome).toBe('accepted');
    // Admission failed five times: the platform parks the message.
    expect(await moveAll(queue(admissionQueue()), queue(`${admissionQueue()}-poison`))).toBe(1);
    expect(await admission(id)).toMatchObject({ admission: 'pending' });

    // A sweeper tick right away leaves it resting (an outage has time to end) ...
    await sweep(host.services.pipeline);
    await admitAll();
    expect(await admission(id)).toMatchObject({ admission: 'pending' });
    // ... five minutes on, it goes back to the admission queue, and admission makes the release.
    const later = { now: () => new Date(Date.now() + 6 * 60_000) };
    await sweep({ ...host.services.pipeline, clock: later });
    await admitAll();
    const after = await admission(id);
    expect(after.admission).toBeUndefined();
    expect(after.phase).toBe('queued');
  });
});
