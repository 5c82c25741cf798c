/**
 * The ACR door: each event of an Event Grid or CloudEvents batch judged on its own; an image push
 * becomes an image release. A batch is acknowledged well inside Event Grid's 30 s whatever its
 * size: the first image events are accepted with a reserved release id (./accept.ts), the rest
 * are queued for admission unclaimed and answered "queued" (Event Grid allows up to 5,000 a batch).
 */
import { SEMVER_TAG } from '../domain/promotion.js';
import type { DeferredImage, Logger, NewRelease } from '../ports.js';
import { judgeEvent, type EventVerdict } from './acr-events.js';
import { admitAndEnqueue, deployEnvironment, once, type IntakeDeps } from './admission.js';
import { acceptEvents } from './accept.js';

export interface EventResult {
  id?: string;
  /** accepted: a release id is reserved for it and admission follows from the queue (that id tells what became of it). */
  outcome: 'accepted' | 'release' | 'duplicate' | 'ignored' | 'invalid' | 'validation' | 'queued';
  releaseId?: string;
  reason?: string;
  /** Another delivery of this event is still being admitted (or died doing it): ask again later to learn the outcome. */
  inFlight?: true;
}

type ImageVerdict = Extract<EventVerdict, { kind: 'image' }>;

/**
 * Image events of one batch accepted before the door answers (claimed with a reserved release id,
 * queued in one message); the rest of a large batch goes to the admission queue unclaimed.
 */
const INLINE_ACCEPTS = 32;
/** Admissions in flight at once (those for one app still take turns on its head). */
export const ADMISSION_CONCURRENCY = 8;

/** A tag that is a full commit SHA (what the build tags images with) names the commit. */
const COMMIT_TAG = /^[0-9a-f]{40}$/;

export async function acrDoor(d: IntakeDeps, events: unknown[], log: Logger): Promise<EventResult[]> {
  const results: EventResult[] = [];
  const images: { at: number; v: ImageVerdict }[] = [];
  events.forEach((raw, at) => {
    const v: EventVerdict = judgeEvent(raw, d.catalog, d.loginServer);
    if (v.kind === 'image') images.push({ at, v });
    else if (v.kind === 'validation') results[at] = { id: v.id, outcome: 'validation' };
    else {
      log.info(v.kind === 'invalid' ? 'event rejected' : 'event ignored', { event_id: v.id, reason: v.reason });
      results[at] = { ...(v.id ? { id: v.id } : {}), outcome: v.kind, reason: v.reason };
    }
  });
  const inline = images.slice(0, INLINE_ACCEPTS);
  const [answers] = await Promise.all([
    acceptEvents(
      d,
      inline.map(({ v }) => ({ door: 'acr' as const, key: v.id, inputs: [imageRelease(d, v)] })),
      log,
    ),
    defer(d, images.slice(INLINE_ACCEPTS), results, log),
  ]);
  inline.forEach(({ at, v }, i) => {
    const a = answers[i];
    if (!a) return;
    const releaseId = a.releaseIds[0];
    results[at] =
      a.state === 'accepted'
        ? { id: v.id, outcome: 'accepted', ...(releaseId ? { releaseId } : {}) }
        : { id: v.id, outcome: 'duplicate', ...(releaseId ? { releaseId } : {}), ...(a.inFlight ? { inFlight: true as const } : {}) };
  });
  return results;
}

async function defer(d: IntakeDeps, images: { at: number; v: ImageVerdict }[], results: EventResult[], log: Logger): Promise<void> {
  if (images.length === 0) return;
  await d.admissions.defer(images.map(({ v }) => deferredOf(v)));
  log.info('image events queued for admission', { count: images.length });
  for (const { at, v } of images) results[at] = { id: v.id, outcome: 'queued', reason: 'accepted; admitted from the admission queue' };
}

/** Image events from the admission queue: admitted the same way, with the same idempotency claim. */
export async function admitDeferred(d: IntakeDeps, items: DeferredImage[], log: Logger): Promise<EventResult[]> {
  const results: EventResult[] = [];
  await inTurns(
    items.map((item, at) => ({ at, item })),
    ADMISSION_CONCURRENCY,
    async ({ at, item }) => {
      const app = d.catalog.apps.find((a) => a.name === item.app);
      if (!app) {
        results[at] = { id: item.id, outcome: 'ignored', reason: `app ${item.app} is no longer in the catalog` };
        return;
      }
      const { app: _name, ...image } = item;
      results[at] = await imagePushed(d, { kind: 'image', ...image, app }, log.child({ correlation_id: item.id }));
    },
  );
  return results;
}

const deferredOf = (v: ImageVerdict): DeferredImage => ({
  id: v.id,
  app: v.app.name,
  registry: v.registry,
  repository: v.repository,
  digest: v.digest,
  ...(v.tag ? { tag: v.tag } : {}),
});

/** Run `work` over `items`, at most `limit` at a time, starting them in order. */
async function inTurns<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function imageRelease(d: IntakeDeps, v: ImageVerdict): NewRelease {
  return {
    app: v.app.name,
    environment: deployEnvironment(d),
    kind: 'image',
    target: v.digest,
    image: { registry: v.registry, repository: v.repository, digest: v.digest, ...(v.tag ? { tag: v.tag } : {}) },
    ...(v.tag && COMMIT_TAG.test(v.tag) ? { commit: v.tag } : {}),
    // A version pushed as a tag: the release carries it (the digest is what deploys).
    ...(v.tag && SEMVER_TAG.test(v.tag) ? { version: v.tag } : {}),
    source: { door: 'acr', eventId: v.id },
    correlationId: v.id,
    semanticDedup: true,
    allowQuarantined: false,
  };
}

/** A deferred image event, claimed and admitted at once by the admission queue's worker. */
async function imagePushed(d: IntakeDeps, v: ImageVerdict, log: Logger): Promise<EventResult> {
  const r = await once(d, 'acr', v.id, async () => {
    const out = await admitAndEnqueue(d, imageRelease(d, v), log);
    if (out.kind === 'created') return { releaseIds: [out.release.id] };
    if (out.kind === 'duplicate') return { releaseIds: [out.releaseId], ignored: out.reason };
    return { releaseIds: [], ignored: out.reason };
  });
  if (r.kind === 'duplicate')
    return {
      id: v.id,
      outcome: 'duplicate',
      ...(r.duplicate.releaseIds[0] ? { releaseId: r.duplicate.releaseIds[0] } : {}),
      ...(r.duplicate.inFlight ? { inFlight: true as const } : {}),
    };
  const id = r.result.releaseIds[0];
  if (r.result.ignored)
    return { id: v.id, outcome: id ? 'duplicate' : 'ignored', ...(id ? { releaseId: id } : {}), reason: r.result.ignored };
  return { id: v.id, outcome: 'release', ...(id ? { releaseId: id } : {}) };
}
