/**
 * The due index follows each save's next look, so a sweeper tick is one query however many
 * releases wait (issue #19): counted in storage requests against azurite, not timed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableClient } from '@azure/data-tables';
import type { Azurite } from '../../../src/local/azurite.js';
import { createReleaseStore } from '../../../src/services/adapters/storage/release-store.js';
import type { NewRelease } from '../../../src/services/ports.js';
import type { Release } from '../../../src/services/domain/release.js';
import { tablesFor, withAzurite } from '../../helpers/azurite.js';

let azurite: Azurite;
beforeAll(async () => (azurite = await withAzurite()));
afterAll(async () => azurite?.stop());

const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const draft = (n: number): NewRelease => ({
  app: `app-${n}`,
  environment: 'dev',
  kind: 'image',
  target: digest(n),
  image: { registry: 'tailspinacr.azurecr.io', repository: `app-${n}`, digest: digest(n) },
  source: { door: 'acr', eventId: `evt-${n}` },
  correlationId: `c-${n}`,
  semanticDedup: false,
  allowQuarantined: true,
});

/** Every request a table client sends, by method. */
function counted(t: Record<string, TableClient>) {
  const seen: string[] = [];
  for (const c of Object.values(t))
    c.pipeline.addPolicy({
      name: 'countRequests',
      sendRequest: (req, next) => {
        seen.push(req.method);
        return next(req);
      },
    });
  return { reset: () => seen.splice(0), seen: () => [...seen] };
}

const at = (iso: string) => new Date(iso);
const plus = (base: Date, minutes: number) => new Date(base.getTime() + minutes * 60_000).toISOString();

describe('the due index as the pipeline saves, against azurite', () => {
  it('a sweeper tick with waiting releases is one query: each save moved their due rows', async () => {
    const t = tablesFor(azurite);
    const requests = counted(t);
    const store = createReleaseStore(t);
    const t0 = at('2026-12-01T10:00:00Z');
    const waiting: Release[] = [];
    for (let i = 0; i < 6; i++) {
      const out = await store.create(draft(i), t0);
      if (out.kind !== 'created') throw new Error(out.kind);
      // Two ticks as reconcile makes them: a phase change, then a wait that only moves the next look.
      const scanning = await store.save({ ...out.release, nextCheckAt: plus(t0, 1) }, { to: 'scanning', reason: 'scan' }, t0);
      if (!scanning.ok) throw new Error('conflict');
      const waits = await store.save({ ...scanning.value, nextCheckAt: plus(t0, 30) }, {}, at(plus(t0, 1)));
      if (!waits.ok) throw new Error('conflict');
      waiting.push(waits.value);
    }
    for (let tick = 0; tick < 3; tick++) {
      requests.reset();
      expect(await store.overdue(at(plus(t0, 10 + tick)), 100)).toEqual([]);
      expect(requests.seen()).toEqual(['GET']);
    }
    // Once due they are all found, in one query and one read each, nothing written.
    requests.reset();
    const due = await store.overdue(at(plus(t0, 31)), 100);
    expect(due.map((r) => r.id).sort()).toEqual(waiting.map((r) => r.id).sort());
    expect(requests.seen()).toEqual(Array(1 + waiting.length).fill('GET'));
  });

  it('a save that brings the next look forward moves the due row before the release', async () => {
    const t = tablesFor(azurite);
    const store = createReleaseStore(t);
    const t0 = at('2026-12-01T10:00:00Z');
    const out = await store.create(draft(1), t0);
    if (out.kind !== 'created') throw new Error(out.kind);
    const later = await store.save({ ...out.release, nextCheckAt: plus(t0, 60) }, { to: 'scanning', reason: 'scan' }, t0);
    if (!later.ok) throw new Error('conflict');
    const sooner = await store.save({ ...later.value, nextCheckAt: plus(t0, 5) }, {}, t0);
    if (!sooner.ok) throw new Error('conflict');
    expect((await store.overdue(at(plus(t0, 10)), 10)).map((r) => r.id)).toEqual([out.release.id]);
    // And a release read back and saved again keeps the due row in step.
    const read = await store.get(out.release.id);
    if (!read) throw new Error('missing');
    const again = await store.save({ ...read, nextCheckAt: plus(t0, 2) }, {}, t0);
    expect(again.ok).toBe(true);
    expect((await store.overdue(at(plus(t0, 3)), 10)).map((r) => r.id)).toEqual([out.release.id]);
  });
});
