/** The admission queue's messages: packed under the Storage Queue size limit, and checked when read back. */
import { describe, expect, it } from 'vitest';
import type { QueueClient } from '@azure/storage-queue';
import { createAdmissionQueue, packed } from '../../../src/services/adapters/storage/admission-queue.js';
import { AcceptedEvents, DeferredImages } from '../../../src/services/intake/deferred-schema.js';
import type { DeferredImage } from '../../../src/services/ports.js';

const image = (i: number): DeferredImage => ({
  id: `evt-${i}-${'x'.repeat(60)}`,
  app: 'tailspin-server',
  registry: 'tailspinacr.azurecr.io',
  repository: 'tailspin-server',
  digest: `sha256:${i.toString(16).padStart(64, '0')}`,
  tag: `v${i}`,
});

describe('admission queue messages', () => {
  it('5,000 events (Event Grid’s largest batch) pack into messages under 64 KiB once base64-encoded, in order', async () => {
    const sent: string[] = [];
    const client = {
      createIfNotExists: () => Promise.resolve({}),
      sendMessage: (text: string) => {
        sent.push(text);
        return Promise.resolve({});
      },
    } as unknown as QueueClient;
    const items = Array.from({ length: 5000 }, (_, i) => image(i));
    await createAdmissionQueue(client).defer(items);
    expect(sent.length).toBe(packed(items).length);
    expect(Math.max(...sent.map((m) => m.length))).toBeLessThan(64 * 1024);
    const back = sent.flatMap((m) => DeferredImages.parse(JSON.parse(Buffer.from(m, 'base64').toString('utf8'))).images);
    expect(back).toEqual(items);
    await createAdmissionQueue(client).defer([]);
    expect(sent.length).toBe(packed(items).length);
  });

  it('what comes back from the queue is checked like any input', () => {
    expect(DeferredImages.safeParse({ images: [image(1)] }).success).toBe(true);
    for (const bad of [
      { images: [] },
      { images: [{ ...image(1), digest: 'md5:1' }] },
      { images: [{ ...image(1), repository: '../etc' }] },
      { images: [{ ...image(1), app: 'Not An App' }] },
      'nonsense',
    ])
      expect(DeferredImages.safeParse(bad).success).toBe(false);
  });
});

describe('accepted-event messages (#19: admission behind the queue)', () => {
  const accepted = {
    door: 'acr',
    key: 'evt-1',
    acceptedAt: '2026-12-04T10:00:00.000Z',
    releases: [
      {
        id: 'r-mx9k4ec4-e2361f',
        input: {
          app: 'tailspin-server',
          environment: 'dev',
          kind: 'image',
          target: `sha256:${'a'.repeat(64)}`,
          image: { registry: 'tailspinacr.azurecr.io', repository: 'tailspin-server', digest: `sha256:${'a'.repeat(64)}` },
          source: { door: 'acr', eventId: 'evt-1' },
          correlationId: 'evt-1',
          semanticDedup: true,
          allowQuarantined: false,
        },
      },
    ],
  };
  it('what comes back from the queue is checked like any input', () => {
    expect(AcceptedEvents.safeParse({ accepted: [accepted] }).success).toBe(true);
    const release = accepted.releases[0]!;
    for (const bad of [
      { accepted: [] },
      { accepted: [{ ...accepted, door: 'manual' }] },
      { accepted: [{ ...accepted, acceptedAt: 'yesterday' }] },
      { accepted: [{ ...accepted, releases: [{ ...release, id: '../r-1' }] }] },
      { accepted: [{ ...accepted, releases: [{ ...release, input: { ...release.input, app: 'Not An App' } }] }] },
      { accepted: [{ ...accepted, releases: [{ ...release, input: { ...release.input, allowQuarantined: 'yes' } }] }] },
      {
        accepted: [
          { ...accepted, releases: [{ ...release, input: { ...release.input, image: { ...release.input.image, digest: 'md5:1' } } }] },
        ],
      },
    ])
      expect(AcceptedEvents.safeParse(bad).success).toBe(false);
  });
});
