/**
 * Promotion's dependencies over azurite, with a settable clock and a recorded work queue, and a
 * verified release made the way the pipeline leaves one (admitted, holding the slot, ended succeeded).
 */
import type { Azurite } from '../../src/local/azurite.js';
import { createReleaseStore } from '../../src/services/adapters/storage/release-store.js';
import { createPromotionStore } from '../../src/services/adapters/storage/promotion-store.js';
import { createStorageClients } from '../../src/services/adapters/storage/clients.js';
import { createIntakeLedger } from '../../src/services/adapters/storage/intake-ledger.js';
import { newReleaseId } from '../../src/services/adapters/storage/entities.js';
import { releaseSlot, takeSlot } from '../../src/services/domain/head.js';
import { defaultCatalog } from '../../src/services/domain/catalog.js';
import { PromotionGraphSpec } from '../../src/services/promotion/graph.js';
import type { PromotionDeps } from '../../src/services/promotion/service.js';
import type { ReleaseStore, WorkItem } from '../../src/services/ports.js';
import { silentLogger } from '../../src/services/logger.js';
import { uniqueName } from './azurite.js';

/** n's hex first (as short digests show it), zero-filled to 64. */
export const digest = (n: number) => `sha256:${n.toString(16).padEnd(64, '0')}`;

export function promotionWorld(azurite: Azurite, graph: unknown, start: Date, extra: Partial<PromotionDeps> = {}) {
  const clients = createStorageClients(azurite.connectionString);
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
  const clock = { t: start, now: () => clock.t };
  const g = PromotionGraphSpec.parse(graph);
  const d: PromotionDeps = {
    graph: g,
    promotions,
    intake: {
      store,
      queue: { enqueue: (item: WorkItem) => Promise.resolve(void enqueued.push(item)) },
      admissions: { defer: () => Promise.reject(new Error('unexpected: no ACR batches here')) },
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
    ...extra,
  };
  return { d, store, promotions, enqueued, clock };
}

/** A release of digest n of `app` in `environment`, verified. */
export async function succeeded(store: ReleaseStore, app: string, environment: string, n: number, now: Date): Promise<string> {
  const out = await store.create(
    {
      app,
      environment,
      kind: 'image',
      target: digest(n),
      image: { registry: 'tailspinacr.azurecr.io', repository: app, digest: digest(n) },
      source: { door: 'acr', eventId: `evt-${environment}-${n}` },
      correlationId: `c-${n}`,
      semanticDedup: true,
      allowQuarantined: false,
    },
    now,
  );
  if (out.kind !== 'created') throw new Error(`not created: ${out.kind}`);
  const head = await store.head(app, environment);
  const taken = takeSlot(head, out.release.id);
  if (!taken.ok) throw new Error(taken.reason);
  const image = out.release.image;
  if (!image) throw new Error('no image');
  const verified = releaseSlot({ ...taken.head, etag: head.etag } as typeof head, out.release.id, {
    verified: { releaseId: out.release.id, target: digest(n), image },
  });
  const saved = await store.save(
    out.release,
    { to: 'succeeded', reason: 'healthy', head: { ...verified, ...(head.etag ? { etag: head.etag } : {}) } },
    now,
  );
  if (!saved.ok) throw new Error('save conflict');
  return out.release.id;
}
