/**
 * Promotion's use cases over the real stores against azurite: the promotion store's compare-and-swap,
 * rejections, a newer verified release superseding a pending promotion, freeze windows, quarantine anywhere.
 * Releases are made succeeded through the release store itself (admission, then the terminal save that frees
 * the slot), as the pipeline leaves them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Azurite } from '../../../src/local/azurite.js';
import { createReleaseStore } from '../../../src/services/adapters/storage/release-store.js';
import { createPromotionStore } from '../../../src/services/adapters/storage/promotion-store.js';
import { createStorageClients } from '../../../src/services/adapters/storage/clients.js';
import { createIntakeLedger } from '../../../src/services/adapters/storage/intake-ledger.js';
import { newReleaseId } from '../../../src/services/adapters/storage/entities.js';
import { releaseSlot, takeSlot } from '../../../src/services/domain/head.js';
import { defaultCatalog } from '../../../src/services/domain/catalog.js';
import { PromotionGraphSpec } from '../../../src/services/promotion/graph.js';
import { promotionId, type Promotion } from '../../../src/services/promotion/model.js';
import { decide, drive, promoteTick, requestPromotion, type PromotionDeps } from '../../../src/services/promotion/service.js';
import { countingProxy } from '../../../bench/storage-proxy.js';
import type { ReleaseStore, WorkItem } from '../../../src/services/ports.js';
import { silentLogger } from '../../../src/services/logger.js';
import { startAlertsFake } from '../../../src/sandbox/monitor/alerts-fake.js';
import { createAlerts } from '../../../src/services/adapters/alerts/index.js';
import { staticTokenCredential } from '../../../src/services/adapters/monitor/index.js';
import { uniqueName, withAzurite } from '../../helpers/azurite.js';

/**
 * Table requests of one look at a pending promotion waiting for its soak, and of one timer tick (the last
 * test): the promotion row, three heads, one small page of upstream releases (index scan, backfill marker,
 * five rows). Before: 20 and 25 (the promotion read twice, the upstream head twice on new promotions, and
 * the 50 newest upstream releases read on every look).
 */
const LOOK_REQUESTS = 11;
const TICK_REQUESTS = 15;
const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const APP = 'tailspin-server';
const T0 = new Date('2026-12-04T10:00:00Z');

let azurite: Azurite;
beforeAll(async () => (azurite = await withAzurite()));
afterAll(async () => azurite?.stop());

function world(graph: unknown, connectionString = azurite.connectionString) {
  const clients = createStorageClients(connectionString);
  const prefix = uniqueName('p');
  const tables = {
    releases: clients.table(`${prefix}Releases`),
    dedup: clients.table(`${prefix}Dedup`),
    index: clients.table(`${prefix}ReleaseIndex`),
    due: clients.table(`${prefix}DueReleases`),
  };
  const store = createReleaseStore(tables);
  const promotions = createPromotionStore(tables.releases);
  const enqueued: WorkItem[] = [];
  const clock = { t: T0, now: () => clock.t };
  const g = PromotionGraphSpec.parse(graph);
  const d: PromotionDeps = {
    graph: g,
    promotions,
    intake: {
      store,
      queue: { enqueue: (item: WorkItem) => Promise.resolve(void enqueued.push(item)) },
      admissions: { defer: () => Promise.reject(new Error('unexpected: no ACR batches here')) },
      // Promotions are admitted directly (like the manual door), never accepted at a webhook door.
      ledger: createIntakeLedger(tables.dedup),
      accepted: { send: () => Promise.reject(new Error('unexpected: no webhook acceptance here')) },
      newReleaseId,
      catalog: defaultCatalog(
        'tailspin/tailspin-toys',
        'main',
        g.environments.map((e) => e.name),
      ),
      environments: g.environments.map((e) => e.name),
      loginServer: 'tailspinacr.azurecr.io',
      clock,
      logger: silentLogger,
    },
    publicUrl: 'http://localhost:7071',
    logger: silentLogger,
  };
  return { d, store, promotions, enqueued, clock };
}

/** A release of digest n in `environment`, verified: admitted, holding the slot, then ended succeeded. */
async function succeeded(store: ReleaseStore, environment: string, n: number, now: Date): Promise<string> {
  const out = await store.create(
    {
      app: APP,
      environment,
      kind: 'image',
      target: digest(n),
      image: { registry: 'tailspinacr.azurecr.io', repository: APP, digest: digest(n) },
      source: { door: 'acr', eventId: `evt-${environment}-${n}` },
      correlationId: `c-${n}`,
      semanticDedup: true,
      allowQuarantined: false,
    },
    now,
  );
  if (out.kind !== 'created') throw new Error(`not created: ${out.kind}`);
  const head = await store.head(APP, environment);
  const taken = takeSlot(head, out.release.id);
  if (!taken.ok) throw new Error(taken.reason);
  const verified = releaseSlot({ ...taken.head, etag: head.etag } as typeof head, out.release.id, {
    verified: { releaseId: out.release.id, target: digest(n), image: out.release.image! },
  });
  const saved = await store.save(
    out.release,
    { to: 'succeeded', reason: 'healthy', head: { ...verified, ...(head.etag ? { etag: head.etag } : {}) } },
    now,
  );
  if (!saved.ok) throw new Error('save conflict');
  return out.release.id;
}

const ALICE = { principal: 'entra:alice@contoso.com', aliases: [], groups: [] };
const BOB = { principal: 'entra:bob@contoso.com', aliases: [], groups: [] };
const approvalGraph = {
  environments: [
    { name: 'dev' },
    {
      name: 'prod',
      from: 'dev',
      policy: { kind: 'approval', approvals: 1, approvers: ['entra:alice@contoso.com', 'entra:bob@contoso.com'] },
    },
  ],
};

describe('the promotion store against azurite', () => {
  it('one row per id, compare-and-swap on save, lists filtered by state, app and environment', async () => {
    const { promotions } = world(approvalGraph);
    const p: Promotion = {
      id: promotionId('prod', 'r-abc-000001'),
      app: APP,
      from: 'dev',
      to: 'prod',
      candidate: {
        releaseId: 'r-abc-000001',
        app: APP,
        environment: 'dev',
        kind: 'image',
        target: digest(1),
        succeededAt: T0.toISOString(),
      },
      state: 'pending',
      requestedBy: 'entra:alice@contoso.com',
      requestedAt: T0.toISOString(),
      comment: '',
      approvals: [],
      events: [],
      updatedAt: T0.toISOString(),
    };
    const first = await promotions.create(p);
    const second = await promotions.create({ ...p, requestedBy: 'entra:mallory@contoso.com' });
    expect([first.created, second.created]).toEqual([true, false]);
    expect(second.promotion.requestedBy).toBe('entra:alice@contoso.com');
    const saved = await promotions.save({ ...first.promotion, state: 'rejected' });
    expect(saved.ok).toBe(true);
    expect(await promotions.save({ ...first.promotion, state: 'promoted' })).toEqual({ ok: false, error: 'conflict' });
    expect((await promotions.list({ state: 'rejected', app: APP, to: 'prod' })).map((x) => x.id)).toEqual([p.id]);
    expect(await promotions.list({ state: 'pending' })).toEqual([]);
    expect(await promotions.list({ to: "prod' or PartitionKey ne '" })).toEqual([]);
  });
});

describe('promotion use cases against azurite', () => {
  it('a rejection ends the promotion with who and why; deciding again is a conflict', async () => {
    const { d, store, enqueued } = world(approvalGraph);
    const dev = await succeeded(store, 'dev', 1, T0);
    const req = await requestPromotion(d, { app: APP, to: 'prod', comment: 'please' }, ALICE.principal, silentLogger);
    expect(req).toMatchObject({ kind: 'created', promotion: { state: 'pending', waitingFor: 'approvals: 0 of 1' } });
    const out = await decide(d, promotionId('prod', dev), 'reject', BOB, 'not during the sale', silentLogger);
    expect(out).toMatchObject({
      kind: 'ok',
      promotion: { state: 'rejected', reason: 'rejected by entra:bob@contoso.com: not during the sale' },
    });
    if (out.kind === 'ok')
      expect(out.promotion.events.map((e) => [e.what, e.by])).toEqual([
        ['requested', ALICE.principal],
        ['rejected', BOB.principal],
      ]);
    expect(await decide(d, promotionId('prod', dev), 'approve', BOB, 'changed my mind', silentLogger)).toEqual({
      kind: 'conflict',
      reason: `promotion ${promotionId('prod', dev)} is rejected: rejected by entra:bob@contoso.com: not during the sale`,
    });
    expect(enqueued).toEqual([]);
    expect(await store.list({ app: APP, environment: 'prod' })).toEqual([]);
  });

  it('a newer verified release upstream supersedes the pending promotion of the older one', async () => {
    const graph = { environments: [{ name: 'dev' }, { name: 'staging', from: 'dev', policy: { kind: 'auto', soakSeconds: 600 } }] };
    const { d, store, promotions, clock } = world(graph);
    const a = await succeeded(store, 'dev', 1, T0);
    await promoteTick(d);
    expect(await promotions.get(promotionId('staging', a))).toMatchObject({
      state: 'pending',
      waitingFor: `soak in dev until ${new Date(T0.getTime() + 600_000).toISOString()}`,
    });
    clock.t = new Date(T0.getTime() + 60_000);
    const b = await succeeded(store, 'dev', 2, clock.t);
    await promoteTick(d);
    expect(await promotions.get(promotionId('staging', a))).toMatchObject({
      state: 'superseded',
      reason: `superseded by newer verified release ${b} from dev (promotion ${promotionId('staging', b)})`,
    });
    expect((await promotions.get(promotionId('staging', b)))?.state).toBe('pending');
    // After b's soak it is promoted: the release in staging is b's digest, admitted by door "promotion".
    clock.t = new Date(T0.getTime() + 60_000 + 600_000);
    await promoteTick(d);
    const pb = await promotions.get(promotionId('staging', b));
    expect(pb?.state).toBe('promoted');
    const r = await store.get(pb!.releaseId!);
    expect(r).toMatchObject({
      environment: 'staging',
      image: { digest: digest(2) },
      source: { door: 'promotion', actor: 'tailspin-deployer' },
    });
  });

  it('a release upstream that starts rolling back during the soak stops the pending promotion at once, with its reason', async () => {
    const graph = {
      environments: [
        { name: 'staging' },
        { name: 'prod', from: 'staging', policy: { kind: 'approval', approvers: ['entra:bob@contoso.com'], soakSeconds: 600 } },
      ],
    };
    const { d, store, promotions, clock } = world(graph);
    const good = await succeeded(store, 'staging', 1, T0);
    const req = await requestPromotion(d, { app: APP, to: 'prod', comment: 'next' }, ALICE.principal, silentLogger);
    expect(req).toMatchObject({ kind: 'created', promotion: { state: 'pending' } });
    // A newer release in staging deploys, fails verification and starts rolling back, still in the soak.
    clock.t = new Date(T0.getTime() + 60_000);
    const out = await store.create(
      {
        app: APP,
        environment: 'staging',
        kind: 'image',
        target: digest(2),
        image: { registry: 'tailspinacr.azurecr.io', repository: APP, digest: digest(2) },
        source: { door: 'acr', eventId: 'evt-staging-2' },
        correlationId: 'c-2',
        semanticDedup: true,
        allowQuarantined: false,
      },
      clock.t,
    );
    if (out.kind !== 'created') throw new Error(`not created: ${out.kind}`);
    const head = await store.head(APP, 'staging');
    const taken = takeSlot(head, out.release.id);
    if (!taken.ok) throw new Error(taken.reason);
    const deploying = await store.save(
      out.release,
      { to: 'deploying', reason: 'deploying', head: { ...taken.head, etag: head.etag } },
      clock.t,
    );
    if (!deploying.ok) throw new Error('save conflict');
    const failure = { reason: 'error rate 6.0 % is above 1 %', at: clock.t.toISOString() };
    const rolling = await store.save(
      { ...deploying.value, outcome: { ...deploying.value.outcome, failure } },
      { to: 'rolling_back', reason: failure.reason },
      clock.t,
    );
    if (!rolling.ok) throw new Error('save conflict');

    clock.t = new Date(T0.getTime() + 90_000);
    await promoteTick(d);
    expect(await promotions.get(promotionId('prod', good))).toMatchObject({
      state: 'stopped',
      reason: `staging is rolling back release ${out.release.id} during the soak (error rate 6.0 % is above 1 %)`,
    });
  });

  it('a firing Azure Monitor alert on the upstream environment holds the promotion, named; alerts unreadable hold it too; it goes once none fires', async () => {
    const aks =
      '/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-dev/providers/Microsoft.ContainerService/managedClusters/aks-dev';
    const graph = {
      environments: [
        { name: 'dev', alertTargets: [aks] },
        { name: 'staging', from: 'dev', policy: { kind: 'auto', soakSeconds: 60 } },
      ],
    };
    const { d, store, promotions, clock } = world(graph);
    const fake = await startAlertsFake({ token: 't' });
    try {
      const withAlerts = {
        ...d,
        alerts: createAlerts({ credential: staticTokenCredential('t'), endpoint: fake.url, tlsCa: fake.ca, timeoutMs: 5000 }),
      };
      const a = await succeeded(store, 'dev', 1, T0);
      fake.fire({ name: 'error rate over 1 %', target: aks, severity: 'Sev1', at: new Date() });
      clock.t = new Date(T0.getTime() + 61_000);
      await promoteTick(withAlerts);
      expect(await promotions.get(promotionId('staging', a))).toMatchObject({
        state: 'pending',
        waitingFor: expect.stringMatching(/^alert "error rate over 1 %" \(Sev1\) firing in dev on aks-dev since /),
      });
      fake.resolve('error rate over 1 %');
      fake.setOutage('http500');
      await promoteTick(withAlerts);
      expect(await promotions.get(promotionId('staging', a))).toMatchObject({
        state: 'pending',
        waitingFor: 'alerts in dev unknown (alerts on aks-dev: HTTP 500 InternalServerError); not promoted on unknown',
      });
      // No alerts API at all is unknown too.
      await promoteTick(d);
      expect((await promotions.get(promotionId('staging', a)))?.waitingFor).toMatch(/^alerts in dev unknown \(no alerts API configured/);
      fake.setOutage('none');
      await promoteTick(withAlerts);
      expect((await promotions.get(promotionId('staging', a)))?.state).toBe('promoted');
    } finally {
      await fake.stop();
    }
  });

  it('a freeze window holds automatic promotion and says until when; it goes once the window closes', async () => {
    // Friday 16:00–23:59 UTC; 2026-12-04 is a Friday.
    const graph = {
      environments: [
        { name: 'dev' },
        { name: 'staging', from: 'dev', policy: { kind: 'auto', soakSeconds: 0 }, freeze: ['* 16-23 * * 5'] },
      ],
    };
    const { d, store, promotions, clock } = world(graph);
    clock.t = new Date('2026-12-04T17:00:00Z');
    const a = await succeeded(store, 'dev', 1, clock.t);
    await promoteTick(d);
    expect(await promotions.get(promotionId('staging', a))).toMatchObject({
      state: 'pending',
      waitingFor: 'freeze window until 2026-12-05T00:00:00.000Z',
    });
    clock.t = new Date('2026-12-05T00:00:30Z');
    await promoteTick(d);
    expect((await promotions.get(promotionId('staging', a)))?.state).toBe('promoted');
  });

  it('a digest quarantined anywhere is refused with where and why', async () => {
    const { d, store } = world(approvalGraph);
    await succeeded(store, 'dev', 1, T0);
    const prod = await store.head(APP, 'prod');
    const put = await store.putHead({ ...prod, quarantined: [{ digest: digest(1), releaseId: 'r-bad-000009', at: T0.toISOString() }] });
    expect(put.ok).toBe(true);
    const out = await requestPromotion(d, { app: APP, to: 'prod', comment: '' }, ALICE.principal, silentLogger);
    expect(out).toEqual({
      kind: 'conflict',
      reason: `${digest(1).slice(0, 19)}… is quarantined in prod after release r-bad-000009 failed there`,
    });
  });

  it('nothing is promoted into the root, an unknown environment or app, or from a release that is not verified', async () => {
    const { d, store } = world(approvalGraph);
    expect(await requestPromotion(d, { app: APP, to: 'dev', comment: '' }, ALICE.principal, silentLogger)).toMatchObject({
      kind: 'conflict',
    });
    expect(await requestPromotion(d, { app: APP, to: 'qa', comment: '' }, ALICE.principal, silentLogger)).toMatchObject({
      kind: 'not-found',
    });
    expect(await requestPromotion(d, { app: 'nope', to: 'prod', comment: '' }, ALICE.principal, silentLogger)).toMatchObject({
      kind: 'not-found',
    });
    expect(await requestPromotion(d, { app: APP, to: 'prod', comment: '' }, ALICE.principal, silentLogger)).toEqual({
      kind: 'conflict',
      reason: 'tailspin-server has no verified release in dev to promote',
    });
    const queued = await store.create(
      {
        app: APP,
        environment: 'dev',
        kind: 'image',
        target: digest(5),
        image: { registry: 'tailspinacr.azurecr.io', repository: APP, digest: digest(5) },
        source: { door: 'acr', eventId: 'e5' },
        correlationId: 'c5',
        semanticDedup: true,
        allowQuarantined: false,
      },
      T0,
    );
    if (queued.kind !== 'created') throw new Error('not created');
    expect(
      await requestPromotion(d, { app: APP, to: 'prod', releaseId: queued.release.id, comment: '' }, ALICE.principal, silentLogger),
    ).toEqual({
      kind: 'conflict',
      reason: `release ${queued.release.id} is queued; only a verified (succeeded) release is promoted`,
    });
  });
});

describe('storage reads per look', () => {
  it('one look at a pending promotion, and one timer tick, read each row they need once (counted at azurite)', async () => {
    const proxy = await countingProxy(azurite);
    try {
      const graph = {
        environments: [
          { name: 'dev' },
          { name: 'staging', from: 'dev', policy: { kind: 'auto', soakSeconds: 600 } },
          { name: 'prod', from: 'staging', policy: { kind: 'approval', approvers: ['entra:bob@contoso.com'] } },
        ],
      };
      const { d, store, promotions, clock } = world(graph, proxy.connectionString);
      // History upstream: ten earlier verified releases, then the candidate.
      for (let n = 1; n <= 10; n++) await succeeded(store, 'dev', n, new Date(T0.getTime() - (11 - n) * 60_000));
      const a = await succeeded(store, 'dev', 11, T0);
      await promoteTick(d);
      const id = promotionId('staging', a);
      expect((await promotions.get(id))?.state).toBe('pending');
      clock.t = new Date(T0.getTime() + 60_000);

      proxy.reset();
      await drive(d, id, silentLogger);
      const look = proxy.counts().table;
      proxy.reset();
      await promoteTick(d);
      const tick = proxy.counts().table;
      expect((await promotions.get(id))?.state).toBe('pending');
      expect(look).toBeLessThanOrEqual(LOOK_REQUESTS);
      expect(tick).toBeLessThanOrEqual(TICK_REQUESTS);
      // Not growing with history: ten more (older) releases upstream, the same look.
      for (let n = 12; n <= 21; n++)
        await store.create(
          {
            app: APP,
            environment: 'dev',
            kind: 'image',
            target: digest(n),
            image: { registry: 'tailspinacr.azurecr.io', repository: APP, digest: digest(n) },
            source: { door: 'acr', eventId: `old-${n}` },
            correlationId: `old-${n}`,
            semanticDedup: false,
            allowQuarantined: false,
          },
          new Date(T0.getTime() - 3600_000 - n * 60_000),
        );
      proxy.reset();
      await drive(d, id, silentLogger);
      expect(proxy.counts().table).toBe(look);
    } finally {
      await proxy.stop();
    }
  });
});
