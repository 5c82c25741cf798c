/**
 * Issue 19: the GitHub and ACR doors acknowledge with one claim (ids reserved) and one message;
 * admission runs behind the queue. Against azurite, the faults that must lose nothing and deploy
 * nothing twice: the message cannot be queued, the door dies between claim and message, the
 * worker dies between admitting and settling, and a stray message of a delivery that lost the claim.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Azurite } from '../../../src/local/azurite.js';
import { createReleaseStore } from '../../../src/services/adapters/storage/release-store.js';
import { createIntakeLedger } from '../../../src/services/adapters/storage/intake-ledger.js';
import { newReleaseId } from '../../../src/services/adapters/storage/entities.js';
import { acceptEvents, admitAccepted } from '../../../src/services/intake/accept.js';
import type { IntakeDeps } from '../../../src/services/intake/admission.js';
import type { AcceptedEvent, WorkItem } from '../../../src/services/ports.js';
import { silentLogger } from '../../../src/services/logger.js';
import { tablesFor, withAzurite } from '../../helpers/azurite.js';
import { HELLO_WORLD_CATALOG, image } from '../../helpers/catalogs.js';
import { Catalog } from '../../../src/services/domain/catalog.js';

let azurite: Azurite;
beforeAll(async () => (azurite = await withAzurite()));
afterAll(async () => azurite?.stop());

function world(opts: { sendFails?: boolean; now?: () => Date } = {}) {
  const tables = tablesFor(azurite);
  const store = createReleaseStore(tables);
  const ledger = createIntakeLedger(tables.dedup);
  const queued: AcceptedEvent[][] = [];
  const work: WorkItem[] = [];
  const d: IntakeDeps = {
    store,
    ledger,
    queue: { enqueue: (item) => Promise.resolve(void work.push(item)) },
    admissions: { defer: () => Promise.resolve() },
    accepted: {
      send: (events) => (opts.sendFails ? Promise.reject(new Error('queue down')) : Promise.resolve(void queued.push(events))),
    },
    newReleaseId,
    catalog: Catalog.parse(HELLO_WORLD_CATALOG),
    environments: ['dev'],
    loginServer: 'demo.azurecr.io',
    clock: { now: opts.now ?? (() => new Date()) },
    logger: silentLogger,
  };
  return { d, store, ledger, queued, work };
}

describe('accept at the door, admit behind the queue', () => {
  it('one event: accepted with a reserved id that is "pending" until admitted, then a release; a redelivery names the same id', async () => {
    const { d, store, ledger, queued, work } = world();
    const [a] = await acceptEvents(d, [{ door: 'acr', key: 'evt-1', inputs: [image(1, 'evt-1')] }], silentLogger);
    expect(a).toMatchObject({ state: 'accepted', releaseIds: [expect.stringMatching(/^r-/)] });
    const id = a?.releaseIds[0] ?? '';
    expect(await ledger.reservation(id)).toMatchObject({ id, door: 'acr', outcome: 'pending' });
    expect(await store.get(id)).toBeUndefined();

    expect(await admitAccepted(d, queued.flat(), silentLogger)).toEqual([{ id, outcome: 'release' }]);
    expect(await store.get(id)).toMatchObject({ id, phase: 'queued', app: 'hello-server' });
    expect(work).toEqual([{ releaseId: id, correlationId: 'evt-1' }]);
    expect(await ledger.reservation(id)).toMatchObject({ outcome: 'release' });
    const [again] = await acceptEvents(d, [{ door: 'acr', key: 'evt-1', inputs: [image(1, 'evt-1')] }], silentLogger);
    expect(again).toEqual({ state: 'duplicate', releaseIds: [id], inFlight: false });
  });

  it('a message that cannot be queued withdraws the claim: the sender is told to retry, and the retry is accepted afresh', async () => {
    const failing = world({ sendFails: true });
    await expect(acceptEvents(failing.d, [{ door: 'github', key: 'd-1', inputs: [image(2, 'd-1')] }], silentLogger)).rejects.toThrow(
      /queue down/,
    );
    const ok = { ...failing.d, accepted: { send: () => Promise.resolve() } };
    const [retry] = await acceptEvents(ok, [{ door: 'github', key: 'd-1', inputs: [image(2, 'd-1')] }], silentLogger);
    expect(retry?.state).toBe('accepted');
  });

  it('a door that died between claim and message: the redelivery is "in flight" while the claim is young, and takes it over (same ids) once stale', async () => {
    const t0 = new Date('2026-12-04T10:00:00Z');
    let now = t0;
    const { d, ledger, queued } = world({ now: () => now });
    // The claim and reservation, and no message: what the dead door left.
    const id = newReleaseId(t0);
    expect(await ledger.accept('acr', 'evt-dead', [id], t0)).toEqual({ state: 'accepted', releaseIds: [id] });
    now = new Date(t0.getTime() + 5_000);
    const [young] = await acceptEvents(d, [{ door: 'acr', key: 'evt-dead', inputs: [image(3, 'evt-dead')] }], silentLogger);
    expect(young).toEqual({ state: 'duplicate', releaseIds: [id], inFlight: true });
    expect(queued.flat()).toEqual([]);
    now = new Date(t0.getTime() + 120_000);
    const [stale] = await acceptEvents(d, [{ door: 'acr', key: 'evt-dead', inputs: [image(3, 'evt-dead')] }], silentLogger);
    expect(stale).toEqual({ state: 'accepted', releaseIds: [id] });
    expect(queued.flat().map((e) => e.releases.map((r) => r.id))).toEqual([[id]]);
  });

  it('a worker that died after admitting, before settling: the retried message admits nothing twice and settles', async () => {
    const { d, store, ledger, queued, work } = world();
    await acceptEvents(d, [{ door: 'acr', key: 'evt-retry', inputs: [image(4, 'evt-retry')] }], silentLogger);
    const message = queued.flat();
    const id = message[0]?.releases[0]?.id ?? '';
    // The first try: admitted (release written), then the worker died before settle().
    const dying = { ...d, ledger: { ...ledger, settle: () => Promise.reject(new Error('worker killed')) } };
    await expect(admitAccepted(dying, message, silentLogger)).rejects.toThrow(/worker killed/);
    // Two retries at once (the message became visible again on two instances).
    const [a, b] = await Promise.all([admitAccepted(d, message, silentLogger), admitAccepted(d, message, silentLogger)]);
    expect([...(a ?? []), ...(b ?? [])].every((x) => x.outcome === 'release' && x.id === id)).toBe(true);
    const list = await store.list({ app: 'hello-server', environment: 'dev' });
    expect(list.filter((r) => r.id === id)).toHaveLength(1);
    expect(new Set(work.map((w) => w.releaseId))).toEqual(new Set([id]));
    expect(await ledger.reservation(id)).toMatchObject({ outcome: 'release' });
  });

  it('an id collision (two events given the same id) fails loudly instead of answering a wrong duplicate', async () => {
    const { ledger } = world();
    const id = newReleaseId(new Date());
    await ledger.accept('github', 'd-first', [id], new Date());
    await expect(ledger.accept('github', 'd-second', [id], new Date())).rejects.toThrow(/already taken/);
    expect(await ledger.claimOf('github', 'd-second')).toBeUndefined();
  });

  it('a stray message (a duplicate delivery that lost the claim) admits nothing', async () => {
    const { d, store, queued } = world();
    await acceptEvents(d, [{ door: 'acr', key: 'evt-x', inputs: [image(5, 'evt-x')] }], silentLogger);
    const real = queued.flat()[0] as AcceptedEvent;
    const stray: AcceptedEvent = { ...real, releases: [{ id: newReleaseId(new Date()), input: image(5, 'evt-x') }] };
    expect(await admitAccepted(d, [stray], silentLogger)).toEqual([]);
    expect(await store.get(stray.releases[0]?.id ?? '')).toBeUndefined();
  });

  it('semantic dedup at admission: a second event for the same digest is reserved, then answered "duplicate of" the first release', async () => {
    const { d, ledger, queued } = world();
    await acceptEvents(
      d,
      [
        { door: 'acr', key: 'evt-a', inputs: [image(6, 'evt-a')] },
        { door: 'acr', key: 'evt-b', inputs: [image(6, 'evt-b')] },
      ],
      silentLogger,
    );
    const out = await admitAccepted(d, queued.flat(), silentLogger);
    const first = out[0]?.id ?? '';
    expect(out).toEqual([
      { id: first, outcome: 'release' },
      { id: expect.any(String), outcome: 'duplicate', of: first, reason: expect.any(String) },
    ]);
    expect(await ledger.reservation(out[1]?.id ?? '')).toMatchObject({ outcome: 'duplicate', of: first });
  });
});
