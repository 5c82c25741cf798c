import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Azurite } from '../../../src/local/azurite.js';
import { createReleaseStore } from '../../../src/services/adapters/storage/release-store.js';
import type { NewRelease } from '../../../src/services/ports.js';
import { emptyHead, holdSlot, takeSlot, releaseSlot } from '../../../src/services/domain/head.js';
import { tablesFor, withAzurite } from '../../helpers/azurite.js';

const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const draft = (d: string, extra: Partial<NewRelease> = {}): NewRelease => ({
  app: 'tailspin-server',
  environment: 'dev',
  kind: 'image',
  target: d,
  image: { registry: 'tailspinacr.azurecr.io', repository: 'tailspin-server', digest: d },
  source: { door: 'acr', eventId: `evt-${d.slice(-4)}` },
  correlationId: 'c-1',
  semanticDedup: true,
  allowQuarantined: false,
  ...extra,
});

let azurite: Azurite;
beforeAll(async () => (azurite = await withAzurite()));
afterAll(async () => azurite?.stop());

describe('release store against azurite', () => {
  it('creates a queued release with its first timeline entry and reads it back', async () => {
    const store = createReleaseStore(tablesFor(azurite));
    const now = new Date('2026-11-26T10:00:00Z');
    const out = await store.create(draft(digest(1)), now);
    expect(out.kind).toBe('created');
    if (out.kind !== 'created') return;
    const got = await store.get(out.release.id);
    expect(got?.phase).toBe('queued');
    expect(got?.image?.digest).toBe(digest(1));
    expect(got?.timeline).toEqual([
      { at: now.toISOString(), from: null, to: 'queued', reason: 'acr event evt-0001', correlationId: 'c-1' },
    ]);
    expect((await store.head('tailspin-server', 'dev')).pending?.releaseId).toBe(out.release.id);
  });

  it('50 concurrent admissions of one digest yield exactly one release', async () => {
    // One store per call: like 50 function instances, so the ETag compare-and-swap (not the in-process lock) decides.
    const tables = tablesFor(azurite);
    const store = createReleaseStore(tables);
    const outs = await Promise.all(Array.from({ length: 50 }, () => createReleaseStore(tables).create(draft(digest(7)), new Date())));
    const created = outs.filter((o) => o.kind === 'created');
    expect(created).toHaveLength(1);
    const id = created[0]?.kind === 'created' ? created[0].release.id : '';
    for (const o of outs) if (o.kind === 'duplicate') expect(o.releaseId).toBe(id);
    expect(await store.list({ app: 'tailspin-server', environment: 'dev' })).toHaveLength(1);
  });

  it('within one instance, concurrent admissions for one app queue instead of colliding', async () => {
    const store = createReleaseStore(tablesFor(azurite));
    const outs = await Promise.all(Array.from({ length: 10 }, (_, i) => store.create(draft(digest(200 + i)), new Date())));
    expect(outs.filter((o) => o.kind === 'created')).toHaveLength(10);
    expect((await store.list({ app: 'tailspin-server', environment: 'dev' })).filter((r) => r.phase === 'queued')).toHaveLength(1);
  });

  it('50 concurrent claims of one delivery id: one claim, 49 duplicates', async () => {
    const store = createReleaseStore(tablesFor(azurite));
    const claims = await Promise.all(Array.from({ length: 50 }, () => store.claimEvent('github', 'delivery-1', new Date())));
    expect(claims.filter((c) => c.state === 'claimed')).toHaveLength(1);
    await store.completeEvent('github', 'delivery-1', { releaseIds: ['r-1'] });
    expect(await store.claimEvent('github', 'delivery-1', new Date())).toEqual({
      state: 'duplicate',
      releaseIds: ['r-1'],
      inFlight: false,
    });
  });

  it('a claim given back after failed work lets the redelivery through', async () => {
    const store = createReleaseStore(tablesFor(azurite));
    expect((await store.claimEvent('github', 'd-fail', new Date())).state).toBe('claimed');
    await store.releaseEvent('github', 'd-fail');
    expect((await store.claimEvent('github', 'd-fail', new Date())).state).toBe('claimed');
  });

  it('20 concurrent admissions of different digests for one app all land, newest pending, the rest superseded', async () => {
    const tables = tablesFor(azurite);
    const store = createReleaseStore(tables);
    const outs = await Promise.all(
      Array.from({ length: 20 }, (_, i) => createReleaseStore(tables).create(draft(digest(100 + i)), new Date())),
    );
    expect(outs.every((o) => o.kind === 'created')).toBe(true);
    const list = await store.list({ app: 'tailspin-server', environment: 'dev', limit: 100 });
    expect(list).toHaveLength(20);
    expect(list.filter((r) => r.phase === 'queued')).toHaveLength(1);
    expect((await store.head('tailspin-server', 'dev')).pending?.releaseId).toBe(list.find((r) => r.phase === 'queued')?.id);
  });

  it('takes over a claim left pending by a crashed worker', async () => {
    const store = createReleaseStore(tablesFor(azurite));
    const t0 = new Date('2026-11-26T10:00:00Z');
    expect((await store.claimEvent('acr', 'e-1', t0)).state).toBe('claimed');
    expect((await store.claimEvent('acr', 'e-1', new Date(t0.getTime() + 5_000))).state).toBe('duplicate');
    expect((await store.claimEvent('acr', 'e-1', new Date(t0.getTime() + 120_000))).state).toBe('claimed');
  });

  it('a newer digest supersedes a release that has not been deployed yet', async () => {
    const store = createReleaseStore(tablesFor(azurite));
    const a = await store.create(draft(digest(1)), new Date('2026-11-26T10:00:00Z'));
    const b = await store.create(draft(digest(2)), new Date('2026-11-26T10:00:01Z'));
    expect(b.kind === 'created' && b.superseded).toBe(a.kind === 'created' && a.release.id);
    const old = await store.get(a.kind === 'created' ? a.release.id : '');
    expect(old?.phase).toBe('superseded');
    expect(old?.timeline.map((e) => e.to)).toEqual(['queued', 'superseded']);
    const list = await store.list({ app: 'tailspin-server', environment: 'dev' });
    expect(list.map((r) => r.id)).toEqual([b.kind === 'created' ? b.release.id : '', a.kind === 'created' ? a.release.id : '']);
  });

  it('save is compare-and-swap: a stale copy loses', async () => {
    const store = createReleaseStore(tablesFor(azurite));
    const out = await store.create(draft(digest(3)), new Date());
    if (out.kind !== 'created') throw new Error('expected created');
    const first = await store.save(out.release, { to: 'scanning', reason: 'scan started' }, new Date());
    expect(first.ok).toBe(true);
    const stale = await store.save(out.release, { to: 'blocked', reason: 'stale writer' }, new Date());
    expect(stale).toEqual({ ok: false, error: 'conflict' });
    const got = await store.get(out.release.id);
    expect(got?.phase).toBe('scanning');
    expect(got?.timeline.map((e) => e.to)).toEqual(['queued', 'scanning']);
  });

  it('head slot, last-good and quarantine are written with the release in one transaction', async () => {
    const store = createReleaseStore(tablesFor(azurite));
    const out = await store.create(draft(digest(4)), new Date());
    if (out.kind !== 'created') throw new Error('expected created');
    const head = await store.head('tailspin-server', 'dev');
    const slot = takeSlot(head, out.release.id);
    if (!slot.ok) throw new Error(slot.reason);
    const deploying = await store.save(out.release, { to: 'deploying', reason: 'scan passed', head: slot.head }, new Date());
    if (!deploying.ok) throw new Error('conflict');
    const h2 = await store.head('tailspin-server', 'dev');
    expect(h2.active?.releaseId).toBe(out.release.id);
    const done = releaseSlot(h2, out.release.id, { quarantine: { digest: digest(4), at: new Date().toISOString() } });
    const rolled = await store.save(deploying.value, { to: 'rolled_back', reason: 'error rate 5% > 1%', head: done }, new Date());
    expect(rolled.ok).toBe(true);
    const h3 = await store.head('tailspin-server', 'dev');
    expect(h3.active).toBeUndefined();
    expect(h3.quarantined.map((q) => q.digest)).toEqual([digest(4)]);
    const again = await store.create(draft(digest(4)), new Date());
    expect(again.kind).toBe('ignored');
    const manual = await store.create(
      draft(digest(4), { allowQuarantined: true, semanticDedup: false, source: { door: 'manual', eventId: 'm-1' } }),
      new Date(),
    );
    expect(manual.kind).toBe('created');
  });

  it("a manifest release holds another app's slot by compare-and-swap on that head alone; the app's own release then waits, and a stale copy loses", async () => {
    const store = createReleaseStore(tablesFor(azurite));
    const out = await store.create(draft(digest(6), { app: 'tailspin-client' }), new Date());
    if (out.kind !== 'created') throw new Error('expected created');
    const before = await store.head('tailspin-client', 'dev');
    const held = holdSlot(before, { releaseId: 'r-manifest', target: 'c0ffee', kind: 'manifest' });
    if (!held.ok) throw new Error('busy');
    const put = await store.putHead(held.head);
    expect(put).toMatchObject({ ok: true, value: { active: { releaseId: 'r-manifest', kind: 'manifest' } } });
    expect(await store.putHead(held.head)).toEqual({ ok: false, error: 'conflict' });
    const now = await store.head('tailspin-client', 'dev');
    expect(now.active).toEqual({ releaseId: 'r-manifest', target: 'c0ffee', kind: 'manifest' });
    expect(takeSlot(now, out.release.id)).toMatchObject({ ok: false, why: 'busy', holder: { releaseId: 'r-manifest' } });
    // The image release's save carries the head it read before the take: it loses, as a whole.
    const stale = takeSlot(before, out.release.id);
    if (!stale.ok) throw new Error(stale.reason);
    expect(await store.save(out.release, { to: 'deploying', reason: 'slot', head: stale.head }, new Date())).toEqual({
      ok: false,
      error: 'conflict',
    });
    const fresh = await store.putHead({ ...emptyHead('a-new-app', 'dev') });
    expect(fresh.ok).toBe(true);
    expect(await store.putHead({ ...emptyHead('a-new-app', 'dev') })).toEqual({ ok: false, error: 'conflict' });
  });

  it('stores records larger than one table property', async () => {
    const store = createReleaseStore(tablesFor(azurite));
    const out = await store.create(draft(digest(5), { progress: { compare: 'x'.repeat(100_000) } }), new Date());
    if (out.kind !== 'created') throw new Error('expected created');
    expect((await store.get(out.release.id))?.progress.compare).toHaveLength(100_000);
  });

  it('lists overdue active releases for the sweeper', async () => {
    const store = createReleaseStore(tablesFor(azurite));
    const out = await store.create(draft(digest(6)), new Date('2026-11-26T10:00:00Z'));
    expect((await store.overdue(new Date('2026-11-26T10:00:01Z'), 10)).map((r) => r.id)).toEqual([
      out.kind === 'created' ? out.release.id : '',
    ]);
    expect(await store.overdue(new Date('2026-11-26T09:00:00Z'), 10)).toEqual([]);
  });
});
