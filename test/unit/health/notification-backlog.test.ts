import { describe, expect, it } from 'vitest';
import { createHealthService } from '../../../src/services/health.js';
import { ok } from '../../../src/services/domain/result.js';

const now = new Date('2026-11-26T12:00:00.000Z');
const clock = { now: () => now };
const storage = { name: 'storage-queue', configured: true, required: true, check: () => Promise.resolve(ok(true)) };

describe('/api/health: the notification backlog', () => {
  it('says how many ended releases still owe GitHub a notice, and since when', async () => {
    const health = createHealthService([storage], clock, '1', {
      backlog: () => Promise.resolve({ count: 2, oldestSince: '2026-11-26T11:30:00.000Z' }),
    });
    expect(await health.check()).toMatchObject({
      status: 'up',
      notifications: { pending: 2, oldestSince: '2026-11-26T11:30:00.000Z', oldestAgeSeconds: 1800 },
    });
  });

  it('an empty backlog is a zero; one that cannot be read says why (the dependencies say the rest)', async () => {
    const empty = createHealthService([storage], clock, '1', { backlog: () => Promise.resolve({ count: 0 }) });
    expect((await empty.check()).notifications).toEqual({ pending: 0 });
    const broken = createHealthService([storage], clock, '1', { backlog: () => Promise.reject(new Error('storage is unavailable')) });
    expect((await broken.check()).notifications).toEqual({ error: 'storage is unavailable' });
    const slow = createHealthService([storage], clock, '1', { timeoutMs: 10, backlog: () => new Promise(() => undefined) });
    expect((await slow.check()).notifications).toEqual({ error: 'no answer within 10 ms' });
  });
});
