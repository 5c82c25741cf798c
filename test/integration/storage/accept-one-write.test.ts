/**
 * Issue 19: an acknowledgement is one conditional insert (the claim) and one queue message. The
 * release ids are derived from the claim's key, so GET /api/deployments/{id} answers "pending" and
 * then what admission made of it from the claim row alone — no reservation row per id. An id that
 * two events come to share (their keys' digests agree where the id carries them, in the same
 * millisecond) fails admission loudly instead of merging the second event into the first release.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Azurite } from '../../../src/local/azurite.js';
import { createReleaseStore } from '../../../src/services/adapters/storage/release-store.js';
import { createIntakeLedger } from '../../../src/services/adapters/storage/intake-ledger.js';
import { newReleaseId } from '../../../src/services/adapters/storage/entities.js';
import { acceptEvents, admitAccepted } from '../../../src/services/intake/accept.js';
import type { IntakeDeps } from '../../../src/services/intake/admission.js';
import type { AcceptedEvent } from '../../../src/services/ports.js';
import { silentLogger } from '../../../src/services/logger.js';
import { tablesFor, withAzurite } from '../../helpers/azurite.js';
import { HELLO_WORLD_CATALOG, image } from '../../helpers/catalogs.js';
import { Catalog } from '../../../src/services/domain/catalog.js';

let azurite: Azurite;
beforeAll(async () => (azurite = await withAzurite()));
afterAll(async () => azurite?.stop());

function world(now: () => Date = () => new Date()) {
  const tables = tablesFor(azurite);
  const store = createReleaseStore(tables);
  const ledger = createIntakeLedger(tables.dedup);
  const queued: AcceptedEvent[][] = [];
  const d: IntakeDeps = {
    store,
    ledger,
    queue: { enqueue: () => Promise.resolve() },
    admissions: { defer: () => Promise.resolve() },
    accepted: { send: (events) => Promise.resolve(void queued.push(events)) },
    newReleaseId,
    catalog: Catalog.parse(HELLO_WORLD_CATALOG),
    environments: ['dev'],
    loginServer: 'demo.azurecr.io',
    clock: { now },
    logger: silentLogger,
  };
  return { d, tables, store, ledger, queued };
}

const rowsOf = async (w: ReturnType<typeof world>, door: string) => {
  const rows: string[] = [];
  await w.tables.dedup.createTable();
  for await (const e of w.tables.dedup.listEntities({ queryOptions: { filter: `PartitionKey eq '${door}'` } })) rows.push(String(e.rowKey));
  return rows;
};

/** Two event keys whose SHA-256 digests share their first six hex digits (a birthday search, a few thousand tries). */
function collidingKeys(): [string, string] {
  const seen = new Map<string, string>();
  for (let i = 0; ; i++) {
    const key = `evt-collide-${i}`;
    const prefix = createHash('sha256').update(key).digest('hex').slice(0, 6);
    const other = seen.get(prefix);
    if (other) return [other, key];
    seen.set(prefix, key);
  }
}

describe('the acknowledgement writes one row', () => {
  it('accepting an event with two releases writes only its claim; the ids answer pending, then what admission made of them', async () => {
    const w = world();
    const door = 'github';
    const before = await rowsOf(w, door);
    const inputs = [image(11, 'd-one'), { ...image(12, 'd-one'), app: 'hello-client' }];
    const [a] = await acceptEvents(w.d, [{ door, key: 'd-one', inputs }], silentLogger);
    expect(a).toMatchObject({ state: 'accepted', releaseIds: [expect.stringMatching(/^r-/), expect.stringMatching(/^r-/)] });
    const ids = a?.releaseIds ?? [];
    expect(new Set(ids).size).toBe(2);
    expect((await rowsOf(w, door)).filter((r) => !before.includes(r))).toHaveLength(1);
    for (const id of ids) expect(await w.ledger.reservation(id)).toMatchObject({ id, door, outcome: 'pending' });

    const out = await admitAccepted(w.d, w.queued.flat(), silentLogger);
    expect(out.map((o) => o.id)).toEqual(ids);
    for (const o of out) expect(await w.ledger.reservation(o.id)).toMatchObject({ id: o.id, door, outcome: o.outcome });
    expect((await rowsOf(w, door)).filter((r) => !before.includes(r))).toHaveLength(1);
  });

  it('an id nobody reserved is unknown, also when its digest digits match a claim', async () => {
    const w = world();
    const [a] = await acceptEvents(w.d, [{ door: 'acr', key: 'evt-known', inputs: [image(13, 'evt-known')] }], silentLogger);
    const id = a?.releaseIds[0] ?? '';
    const sameDigits = id.replace(/^r-[0-9a-z]+-/, 'r-zzzzzz-');
    expect(await w.ledger.reservation(sameDigits)).toBeUndefined();
    expect(await w.ledger.reservation(newReleaseId(new Date()))).toBeUndefined();
  });

  it('two events given the same id: the second fails admission loudly instead of becoming the first release', async () => {
    const at = new Date('2026-12-05T02:00:00Z');
    const w = world(() => at);
    const [k1, k2] = collidingKeys();
    const [a1, a2] = await acceptEvents(
      w.d,
      [
        { door: 'acr', key: k1, inputs: [image(14, k1)] },
        { door: 'acr', key: k2, inputs: [image(15, k2)] },
      ],
      silentLogger,
    );
    expect(a1?.releaseIds).toEqual(a2?.releaseIds);
    const [m1, m2] = w.queued.flat();
    expect(await admitAccepted(w.d, [m1 as AcceptedEvent], silentLogger)).toEqual([{ id: a1?.releaseIds[0], outcome: 'release' }]);
    await expect(admitAccepted(w.d, [m2 as AcceptedEvent], silentLogger)).rejects.toThrow(/already the release of another event/);
  });
});
