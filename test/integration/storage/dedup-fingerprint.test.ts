/** The door's idempotency claim keeps what the first request looked like, so a reused key with another body is told apart. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Azurite } from '../../../src/local/azurite.js';
import { createReleaseStore } from '../../../src/services/adapters/storage/release-store.js';
import { tablesFor, withAzurite } from '../../helpers/azurite.js';

let azurite: Azurite;
beforeAll(async () => (azurite = await withAzurite()));
afterAll(async () => azurite?.stop());

describe('idempotency claims with a fingerprint', () => {
  it('hands the first claim’s fingerprint to every later claim, in flight and done', async () => {
    const store = createReleaseStore(tablesFor(azurite));
    const now = new Date();
    expect(await store.claimEvent('manual', 'k-1', now, 'sha256:aaa')).toEqual({ state: 'claimed' });
    expect(await store.claimEvent('manual', 'k-1', now, 'sha256:bbb')).toEqual({
      state: 'duplicate',
      releaseIds: [],
      inFlight: true,
      fingerprint: 'sha256:aaa',
    });
    await store.completeEvent('manual', 'k-1', { releaseIds: ['r-1'] });
    expect(await store.claimEvent('manual', 'k-1', now)).toMatchObject({
      state: 'duplicate',
      releaseIds: ['r-1'],
      fingerprint: 'sha256:aaa',
    });
  });

  it('a claim without a fingerprint (older rows, other doors) reports none', async () => {
    const store = createReleaseStore(tablesFor(azurite));
    await store.claimEvent('github', 'd-1', new Date());
    expect(await store.claimEvent('github', 'd-1', new Date(), 'sha256:x')).not.toHaveProperty('fingerprint');
  });

  it('taking over a crashed worker’s stale claim records the new request’s fingerprint', async () => {
    const store = createReleaseStore(tablesFor(azurite));
    const t0 = new Date('2026-11-26T10:00:00Z');
    await store.claimEvent('manual', 'k-stale', t0, 'sha256:old');
    expect((await store.claimEvent('manual', 'k-stale', new Date(t0.getTime() + 120_000), 'sha256:new')).state).toBe('claimed');
    expect(await store.claimEvent('manual', 'k-stale', new Date(t0.getTime() + 121_000))).toMatchObject({ fingerprint: 'sha256:new' });
  });
});
