/** The admission poison queue's re-drive against azurite: rest, rounds, and what is never dropped. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Azurite } from '../../../src/local/azurite.js';
import { createStorageClients } from '../../../src/services/adapters/storage/clients.js';
import { createPoisonRedrive, REDRIVE_FOR_MS, REST_MS } from '../../../src/services/adapters/storage/poison-redrive.js';
import { withAzurite } from '../../helpers/azurite.js';

let azurite: Azurite;
beforeAll(async () => (azurite = await withAzurite()));
afterAll(async () => azurite?.stop());

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64');
const accepted = {
  accepted: [
    {
      key: 'acr:evt-1',
      releases: [{ id: 'r-20261205-0000000001-abcdef', input: { app: 'tailspin-server', environment: 'dev', kind: 'image' } }],
    },
  ],
};

describe('admission poison re-drive', () => {
  it('gives back what rested, counts the rounds, and keeps the unreadable and the hour-old parked for good', async () => {
    const c = createStorageClients(azurite.connectionString);
    const poison = c.queue(`admit-poison-${Date.now()}`);
    const target = c.queue(`admit-${Date.now()}`);
    await Promise.all([poison.createIfNotExists(), target.createIfNotExists()]);
    await poison.sendMessage(b64(accepted));
    // Given back before, first parked longer ago than the hour: it stays.
    await poison.sendMessage(
      b64({ ...accepted, redriven: 9, firstParkedAt: new Date(Date.now() - REDRIVE_FOR_MS - 60_000).toISOString() }),
    );
    await poison.sendMessage('not base64 json');
    const redrive = createPoisonRedrive(poison, target);

    // Too fresh: all stay, visible again at once.
    expect(await redrive.redrive(new Date())).toEqual({ moved: 0, parked: [] });
    const rested = new Date(Date.now() + REST_MS + 1_000);
    const out = await redrive.redrive(rested);
    expect(out.moved).toBe(1);
    expect(out.parked).toHaveLength(2);

    const back = (await target.receiveMessages({ numberOfMessages: 5 })).receivedMessageItems;
    expect(back).toHaveLength(1);
    const body: unknown = JSON.parse(Buffer.from(back[0]?.messageText ?? '', 'base64').toString('utf8'));
    // The same events, with the count beside them (admission's schema ignores it: test/e2e/admission-poison.test.ts).
    expect(body).toMatchObject({ ...accepted, redriven: 1, firstParkedAt: expect.any(String) });
    // Parked ones are still in the poison queue (hidden for a while), now without an expiry: never dropped.
    expect((await poison.getProperties()).approximateMessagesCount).toBe(2);
    const kept = (await poison.peekMessages({ numberOfMessages: 5 })).peekedMessageItems;
    expect(kept).toHaveLength(0); // hidden for the 10 minutes after a look
    expect(await redrive.redrive(rested)).toEqual({ moved: 0, parked: [] });
  });
});
