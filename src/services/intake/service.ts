/**
 * The three doors' shared intake: idempotency claim → plan → admit releases → enqueue.
 * Fast by design (GitHub gives up after 10 s): the heavy work happens off the queue.
 */
import type { Clock, CreateOutcome, Logger, NewRelease, ReleaseStore, WorkQueue } from '../ports.js';
import type { Catalog } from '../domain/catalog.js';
import { findApp } from '../domain/catalog.js';
import type { Door } from '../domain/release.js';
import { parseImageRef } from '../domain/image-ref.js';
import { planPush } from './github-push.js';
import { PushEvent } from './github-schema.js';
import { judgeEvent, type EventVerdict } from './acr-events.js';
import { ManualRequest, describeZodError } from './manual.js';

/** Manifest releases cover the whole k8s/ folder; they serialize on their own head. */
export const MANIFEST_APP = 'k8s';

export interface IntakeDeps {
  store: ReleaseStore;
  queue: WorkQueue;
  catalog: Catalog;
  environments: string[];
  loginServer: string;
  clock: Clock;
  logger: Logger;
}

export type GithubOutcome =
  | { kind: 'accepted'; releaseIds: string[]; duplicates: string[] }
  | { kind: 'ignored'; reason: string }
  | { kind: 'duplicate'; releaseIds: string[]; inFlight: boolean }
  | { kind: 'malformed'; reason: string };

export type ManualOutcome =
  | { kind: 'accepted'; releaseId: string; duplicate: boolean }
  | { kind: 'invalid'; reason: string }
  | { kind: 'not-found'; reason: string }
  | { kind: 'conflict'; reason: string };

export interface EventResult {
  id?: string;
  outcome: 'release' | 'duplicate' | 'ignored' | 'invalid' | 'validation';
  releaseId?: string;
  reason?: string;
}

export function createIntake(d: IntakeDeps) {
  const deployEnv = d.environments[0] ?? 'dev';

  async function admitAndEnqueue(input: NewRelease, log: Logger): Promise<CreateOutcome> {
    const out = await d.store.create(input, d.clock.now());
    if (out.kind === 'created') {
      log.info('release admitted', {
        release_id: out.release.id,
        app: input.app,
        environment: input.environment,
        kind: input.kind,
        superseded: out.superseded,
      });
      // If this enqueue is lost, the release is still due now and the sweeper picks it up.
      await d.queue.enqueue({ releaseId: out.release.id, correlationId: input.correlationId });
    } else {
      log.info('release not admitted', { app: input.app, outcome: out.kind, reason: out.kind === 'duplicate' ? out.reason : out.reason });
    }
    return out;
  }

  /** Runs a door's work once per idempotency key; a redelivery gets the first answer's release ids. */
  async function once<T extends { releaseIds?: string[]; ignored?: string }>(door: Door, key: string, work: () => Promise<T>) {
    const claim = await d.store.claimEvent(door, key, d.clock.now());
    if (claim.state === 'duplicate') return { kind: 'duplicate' as const, duplicate: claim };
    let result: T;
    try {
      result = await work();
    } catch (e) {
      // The sender will see a 500 and may redeliver: that redelivery must do the work, not be a "duplicate".
      await d.store.releaseEvent(door, key).catch(() => undefined);
      throw e;
    }
    await d.store.completeEvent(door, key, { releaseIds: result.releaseIds ?? [], ...(result.ignored ? { ignored: result.ignored } : {}) });
    return { kind: 'done' as const, result };
  }

  return {
    async github(deliveryId: string, event: string, payload: unknown, log: Logger): Promise<GithubOutcome> {
      if (event === 'ping') return { kind: 'ignored', reason: 'ping: webhook is configured' };
      if (event !== 'push') return { kind: 'ignored', reason: `"${event}" events do not deploy; subscribe this webhook to push events` };
      const parsed = PushEvent.safeParse(payload);
      if (!parsed.success) return { kind: 'malformed', reason: `push payload: ${describeZodError(parsed.error)}` };
      const plan = planPush(parsed.data, d.catalog);
      if (plan.kind === 'ignored') return { kind: 'ignored', reason: plan.reason };

      const r = await once('github', deliveryId, async () => {
        const source = {
          door: 'github' as const,
          eventId: deliveryId,
          ...(parsed.data.pusher?.name ? { actor: parsed.data.pusher.name } : {}),
        };
        const base = {
          environment: deployEnv,
          commit: plan.commit,
          source,
          correlationId: deliveryId,
          semanticDedup: true,
          allowQuarantined: false,
        };
        const outs: CreateOutcome[] = [];
        for (const app of plan.builds) {
          outs.push(
            await admitAndEnqueue(
              { ...base, app, kind: 'build', target: plan.commit, progress: { compare: plan.compare, truncated: plan.truncated } },
              log,
            ),
          );
        }
        if (plan.manifests)
          outs.push(
            await admitAndEnqueue({ ...base, app: MANIFEST_APP, kind: 'manifest', target: plan.commit, manifestCommit: plan.commit }, log),
          );
        return {
          releaseIds: outs.flatMap((o) => (o.kind === 'created' ? [o.release.id] : [])),
          duplicates: outs.flatMap((o) => (o.kind === 'duplicate' ? [o.releaseId] : [])),
        };
      });
      if (r.kind === 'duplicate') return { kind: 'duplicate', releaseIds: r.duplicate.releaseIds, inFlight: r.duplicate.inFlight };
      return { kind: 'accepted', ...r.result };
    },

    async acrEvents(events: unknown[], log: Logger): Promise<EventResult[]> {
      const results: EventResult[] = [];
      for (const raw of events) {
        const v: EventVerdict = judgeEvent(raw, d.catalog, d.loginServer);
        if (v.kind === 'validation') results.push({ id: v.id, outcome: 'validation' });
        else if (v.kind === 'invalid' || v.kind === 'ignored') {
          log.info(v.kind === 'invalid' ? 'event rejected' : 'event ignored', { event_id: v.id, reason: v.reason });
          results.push({ ...(v.id ? { id: v.id } : {}), outcome: v.kind, reason: v.reason });
        } else {
          results.push(await imagePushed(v, log.child({ correlation_id: v.id })));
        }
      }
      return results;
    },

    async manual(body: unknown, idempotencyKey: string | undefined, actor: string | undefined, log: Logger): Promise<ManualOutcome> {
      const parsed = ManualRequest.safeParse(body);
      if (!parsed.success) return { kind: 'invalid', reason: describeZodError(parsed.error) };
      const req = parsed.data;
      const app = findApp(d.catalog, req.app);
      if (!app) return { kind: 'not-found', reason: `unknown app "${req.app}"; known: ${d.catalog.apps.map((a) => a.name).join(', ')}` };
      if (!app.environments.includes(req.environment)) {
        return {
          kind: 'not-found',
          reason: `unknown environment "${req.environment}" for ${app.name}; known: ${app.environments.join(', ')}`,
        };
      }
      const eventId = idempotencyKey
        ? `manual:${idempotencyKey}`
        : `manual:${d.clock.now().getTime()}:${Math.random().toString(36).slice(2)}`;
      const source = {
        door: 'manual' as const,
        eventId,
        reason: `${req.action} requested${actor ? ` by ${actor}` : ''}: ${req.reason}`,
        ...(actor ? { actor } : {}),
      };
      const base = {
        app: app.name,
        environment: req.environment,
        source,
        correlationId: eventId,
        semanticDedup: false,
        allowQuarantined: true,
      };

      let input: NewRelease;
      if (req.action === 'deploy') {
        const ref = parseImageRef(req.image ?? '');
        if (!ref.ok) return { kind: 'invalid', reason: `image: ${ref.error.message}` };
        if (ref.value.registry !== d.loginServer.toLowerCase())
          return { kind: 'invalid', reason: `image: registry must be ${d.loginServer}, got ${ref.value.registry}` };
        if (ref.value.repository !== app.acrRepository)
          return { kind: 'invalid', reason: `image: repository must be ${app.acrRepository} for ${app.name}, got ${ref.value.repository}` };
        input = ref.value.digest
          ? {
              ...base,
              kind: 'image',
              target: ref.value.digest,
              image: {
                registry: ref.value.registry,
                repository: ref.value.repository,
                digest: ref.value.digest,
                ...(ref.value.tag ? { tag: ref.value.tag } : {}),
              },
            }
          : { ...base, kind: 'image', target: `tag:${ref.value.tag ?? 'latest'}`, unresolvedImage: req.image ?? '' };
      } else {
        const head = await d.store.head(app.name, req.environment);
        const good = head.lastGood;
        if (req.action === 'redeploy' && !good?.image)
          return { kind: 'conflict', reason: `${app.name}/${req.environment} has no verified release to redeploy` };
        input = good?.image
          ? { ...base, kind: req.action === 'rollback' ? 'rollback' : 'image', target: good.image.digest, image: good.image }
          : { ...base, kind: 'rollback', target: 'undo' };
      }

      const r = await once('manual', eventId, async () => {
        const out = await admitAndEnqueue(input, log);
        return out.kind === 'created' ? { releaseIds: [out.release.id] } : { releaseIds: [], ignored: out.reason };
      });
      if (r.kind === 'duplicate') {
        const id = r.duplicate.releaseIds[0];
        return id
          ? { kind: 'accepted', releaseId: id, duplicate: true }
          : { kind: 'conflict', reason: r.duplicate.ignored ?? 'this Idempotency-Key is still being processed' };
      }
      const id = r.result.releaseIds[0];
      return id ? { kind: 'accepted', releaseId: id, duplicate: false } : { kind: 'conflict', reason: r.result.ignored ?? 'not admitted' };
    },
  };

  async function imagePushed(v: Extract<EventVerdict, { kind: 'image' }>, log: Logger): Promise<EventResult> {
    const r = await once('acr', v.id, async () => {
      const out = await admitAndEnqueue(
        {
          app: v.app.name,
          environment: deployEnv,
          kind: 'image',
          target: v.digest,
          image: { registry: v.registry, repository: v.repository, digest: v.digest, ...(v.tag ? { tag: v.tag } : {}) },
          ...(v.tag && /^[0-9a-f]{40}$/.test(v.tag) ? { commit: v.tag } : {}),
          source: { door: 'acr', eventId: v.id },
          correlationId: v.id,
          semanticDedup: true,
          allowQuarantined: false,
        },
        log,
      );
      if (out.kind === 'created') return { releaseIds: [out.release.id] };
      if (out.kind === 'duplicate') return { releaseIds: [out.releaseId], ignored: out.reason };
      return { releaseIds: [], ignored: out.reason };
    });
    if (r.kind === 'duplicate')
      return { id: v.id, outcome: 'duplicate', ...(r.duplicate.releaseIds[0] ? { releaseId: r.duplicate.releaseIds[0] } : {}) };
    const id = r.result.releaseIds[0];
    if (r.result.ignored)
      return { id: v.id, outcome: id ? 'duplicate' : 'ignored', ...(id ? { releaseId: id } : {}), reason: r.result.ignored };
    return { id: v.id, outcome: 'release', ...(id ? { releaseId: id } : {}) };
  }
}

export type Intake = ReturnType<typeof createIntake>;
