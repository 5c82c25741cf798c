/** The manual door: an authenticated request to deploy an image, redeploy or roll back to the last verified release. */
import { SEMVER_TAG } from '../domain/promotion.js';
import type { Logger } from '../ports.js';
import type { NewRelease } from '../domain/admission.js';
import { findApp, type AppSpec } from '../domain/catalog.js';
import { parseImageRef } from '../domain/image-ref.js';
import { err, ok, type Result } from '../domain/result.js';
import { ManualRequest, describeZodError, requestFingerprint } from './manual.js';
import { admitAndEnqueue, once, type IntakeDeps } from './admission.js';

export type ManualOutcome =
  | { kind: 'accepted'; releaseId: string; duplicate: boolean }
  | { kind: 'invalid'; reason: string }
  /** The Idempotency-Key was first used with a different body. */
  | { kind: 'key-reused'; reason: string }
  | { kind: 'not-found'; reason: string }
  | { kind: 'conflict'; reason: string };

type Base = Pick<NewRelease, 'app' | 'environment' | 'source' | 'correlationId' | 'semanticDedup' | 'allowQuarantined'>;

export async function manualDoor(
  d: IntakeDeps,
  body: unknown,
  idempotencyKey: string | undefined,
  actor: string | undefined,
  log: Logger,
): Promise<ManualOutcome> {
  const parsed = ManualRequest.safeParse(body);
  if (!parsed.success) return { kind: 'invalid', reason: describeZodError(parsed.error) };
  const req = parsed.data;
  const app = findApp(d.catalog, req.app);
  if (!app) return { kind: 'not-found', reason: `unknown app "${req.app}"; known: ${d.catalog.apps.map((a) => a.name).join(', ')}` };
  if (!app.environments.includes(req.environment))
    return { kind: 'not-found', reason: `unknown environment "${req.environment}" for ${app.name}; known: ${app.environments.join(', ')}` };
  const eventId = idempotencyKey ? `manual:${idempotencyKey}` : `manual:${d.clock.now().getTime()}:${Math.random().toString(36).slice(2)}`;
  const base: Base = {
    app: app.name,
    environment: req.environment,
    source: {
      door: 'manual',
      eventId,
      reason: `${req.action} requested${actor ? ` by ${actor}` : ''}: ${req.reason}`,
      ...(actor ? { actor } : {}),
    },
    correlationId: eventId,
    // Manual requests are deliberate: no semantic dedup, and a quarantined digest may be deployed on purpose.
    semanticDedup: false,
    allowQuarantined: true,
  };
  const input =
    req.action === 'deploy'
      ? deployInput(d, app, base, req.image ?? '')
      : req.action === 'rollback' && req.to
        ? await toChosen(d, app, base, req.to)
        : await fromLastGood(d, app, base, req.action);
  if (!input.ok) return input.error;

  const r = await once(
    d,
    'manual',
    eventId,
    async () => {
      const out = await admitAndEnqueue(d, input.value, log);
      return out.kind === 'created' ? { releaseIds: [out.release.id] } : { releaseIds: [], ignored: out.reason };
    },
    requestFingerprint(req),
  );
  if (r.kind === 'mismatch')
    return {
      kind: 'key-reused',
      reason: `Idempotency-Key "${idempotencyKey ?? ''}" was already used with a different body; use a new key for a new request`,
    };
  if (r.kind === 'duplicate') {
    const id = r.duplicate.releaseIds[0];
    return id
      ? { kind: 'accepted', releaseId: id, duplicate: true }
      : { kind: 'conflict', reason: r.duplicate.ignored ?? 'this Idempotency-Key is still being processed' };
  }
  const id = r.result.releaseIds[0];
  return id ? { kind: 'accepted', releaseId: id, duplicate: false } : { kind: 'conflict', reason: r.result.ignored ?? 'not admitted' };
}

type Input = Result<NewRelease, Extract<ManualOutcome, { kind: 'invalid' | 'conflict' | 'not-found' }>>;

/** Deploy a given image of this app from the configured registry: by digest, or by a tag resolved later. */
function deployInput(d: IntakeDeps, app: AppSpec, base: Base, image: string): Input {
  const ref = parseImageRef(image);
  if (!ref.ok) return err({ kind: 'invalid', reason: `image: ${ref.error.message}` });
  const { registry, repository, digest, tag } = ref.value;
  if (registry !== d.loginServer.toLowerCase())
    return err({ kind: 'invalid', reason: `image: registry must be ${d.loginServer}, got ${registry}` });
  if (repository !== app.acrRepository)
    return err({ kind: 'invalid', reason: `image: repository must be ${app.acrRepository} for ${app.name}, got ${repository}` });
  // app:vX.Y.Z names a version: the release carries it, and the tag resolves to its digest like any other.
  const version = tag && SEMVER_TAG.test(tag) ? { version: tag } : {};
  if (!digest) return ok({ ...base, ...version, kind: 'image', target: `tag:${tag ?? 'latest'}`, unresolvedImage: image });
  return ok({ ...base, ...version, kind: 'image', target: digest, image: { registry, repository, digest, ...(tag ? { tag } : {}) } });
}

/** Redeploy or roll back to the last verified release; a rollback with none known undoes to the previous revision. */
async function fromLastGood(d: IntakeDeps, app: AppSpec, base: Base, action: 'redeploy' | 'rollback'): Promise<Input> {
  const good = (await d.store.head(app.name, base.environment)).lastGood;
  if (action === 'redeploy' && !good?.image)
    return err({ kind: 'conflict', reason: `${app.name}/${base.environment} has no verified release to redeploy` });
  if (!good?.image) return ok({ ...base, kind: 'rollback', target: 'undo' });
  return ok({ ...base, kind: action === 'rollback' ? 'rollback' : 'image', target: good.image.digest, image: good.image });
}

/** Roll back to a release chosen by id: one of this app/environment's that passed verification with an image. */
async function toChosen(d: IntakeDeps, app: AppSpec, base: Base, id: string): Promise<Input> {
  const chosen = await d.store.get(id);
  if (!chosen || chosen.app !== app.name || chosen.environment !== base.environment)
    return err({ kind: 'not-found', reason: `to: no release ${id} of ${app.name}/${base.environment}` });
  if (chosen.phase !== 'succeeded' || !chosen.image)
    return err({
      kind: 'conflict',
      reason: `to: release ${id} is ${chosen.phase}${chosen.image ? '' : ' without an image'}; only a verified image release can be rolled back to`,
    });
  // A version release tagged a digest; it never ran it, so nothing about it was verified.
  if (chosen.kind === 'version')
    return err({
      kind: 'conflict',
      reason: `to: release ${id} only gave ${chosen.version ?? 'a version'} to a digest; roll back to a verified image release`,
    });
  return ok({ ...base, kind: 'rollback', target: chosen.image.digest, image: chosen.image });
}
