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

describe('notification outbox moved out of the releases table (issue #19)', () => {
  it('moves rows the old layout left in the releases table: due from the outbox table, oldest since kept, nothing left behind', async () => {
    const c = createStorageClients(azurite.connectionString);
    const releases = c.table(uniqueName('Releases'));
    await releases.createTable();
    // As the old layout stored them: a partition of the releases table.
    const old = (releaseId: string, since: string, dueAt: string) =>
      releases.createEntity({
        partitionKey: 'notify-outbox',
        rowKey: releaseId,
        releaseId,
        correlationId: `c-${releaseId}`,
        since,
        dueAt: new Date(dueAt),
      });
    await old('r-old-000001', t(0), t(1));
    // A row that does not read is left where it is and does not stop the move (nor the sweeper's tick).
    await releases.createEntity({ partitionKey: 'notify-outbox', rowKey: 'r-broken-000009', releaseId: 'r-broken-000009', dueAt: 'never' });
    await old('r-old-000002', t(2), t(50));
    const outbox = createNotifyOutbox(c.table(uniqueName('NotifyOutbox')), releases);
    // The same release owed again under the new layout before the move: its due time stands, the older `since` wins.
    await outbox.put({ releaseId: 'r-old-000002', correlationId: 'c-r-old-000002', since: t(4), dueAt: t(5) });
    expect(await outbox.due(new Date(t(10)), 10)).toEqual([
      { releaseId: 'r-old-000001', correlationId: 'c-r-old-000001', since: t(0), dueAt: t(1) },
      { releaseId: 'r-old-000002', correlationId: 'c-r-old-000002', since: t(2), dueAt: t(5) },
    ]);
    expect(await outbox.backlog()).toEqual({ count: 2, oldestSince: t(0) });
    const left: unknown[] = [];
    for await (const e of releases.listEntities({ queryOptions: { filter: "PartitionKey eq 'notify-outbox'" } })) left.push(e);
    expect(left).toEqual([expect.objectContaining({ rowKey: 'r-broken-000009' })]);
  });
});
