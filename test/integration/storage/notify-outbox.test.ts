/** The notification outbox against azurite: one partition, upserts keep the first `since`, due and backlog queries. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Azurite } from '../../../src/local/azurite.js';
import { createNotifyOutbox } from '../../../src/services/adapters/storage/notify-outbox.js';
import { createStorageClients } from '../../../src/services/adapters/storage/clients.js';
import { uniqueName, withAzurite } from '../../helpers/azurite.js';

let azurite: Azurite;
beforeAll(async () => (azurite = await withAzurite()));
afterAll(async () => azurite?.stop());

const t = (m: number) => new Date(Date.UTC(2026, 10, 26, 10, m)).toISOString();

describe('notification outbox', () => {
  it('keeps one entry per release, due by time, counted with its oldest', async () => {
    const outbox = createNotifyOutbox(createStorageClients(azurite.connectionString).table(uniqueName('Releases')));
    expect(await outbox.backlog()).toEqual({ count: 0 });
    await outbox.put({ releaseId: 'r-a-000001', correlationId: 'c-a', since: t(0), dueAt: t(1) });
    await outbox.put({ releaseId: 'r-b-000002', correlationId: 'c-b', since: t(5), dueAt: t(30) });
    // A later put moves the due time and keeps when the release ended.
    await outbox.put({ releaseId: 'r-a-000001', correlationId: 'c-a', since: t(2), dueAt: t(3) });
    expect(await outbox.due(new Date(t(10)), 10)).toEqual([{ releaseId: 'r-a-000001', correlationId: 'c-a', since: t(0), dueAt: t(3) }]);
    expect(await outbox.due(new Date(t(40)), 1)).toHaveLength(1);
    expect(await outbox.backlog()).toEqual({ count: 2, oldestSince: t(0) });
    await outbox.remove('r-a-000001');
    await outbox.remove('r-a-000001');
    expect(await outbox.backlog()).toEqual({ count: 1, oldestSince: t(5) });
  });
});
