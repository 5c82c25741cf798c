/** The GitHub door: a verified push becomes build releases per changed app and a manifest release. */
import type { CreateOutcome, Logger } from '../ports.js';
import { planPush } from './github-push.js';
import { planTagPush } from './github-tag.js';
import { PushEvent } from './github-schema.js';
import { describeZodError } from './manual.js';
import { admitAndEnqueue, deployEnvironment, once, type IntakeDeps } from './admission.js';

/** Manifest releases cover the whole k8s/ folder; they serialize on their own head. */
const MANIFEST_APP = 'k8s';

export type GithubOutcome =
  | { kind: 'accepted'; releaseIds: string[]; duplicates: string[] }
  | { kind: 'ignored'; reason: string }
  | { kind: 'duplicate'; releaseIds: string[]; inFlight: boolean }
  | { kind: 'malformed'; reason: string };

export async function githubDoor(d: IntakeDeps, deliveryId: string, event: string, payload: unknown, log: Logger): Promise<GithubOutcome> {
  if (event === 'ping') return { kind: 'ignored', reason: 'ping: webhook is configured' };
  if (event !== 'push') return { kind: 'ignored', reason: `"${event}" events do not deploy; subscribe this webhook to push events` };
  const parsed = PushEvent.safeParse(payload);
  if (!parsed.success) return { kind: 'malformed', reason: `push payload: ${describeZodError(parsed.error)}` };
  if (parsed.data.ref.startsWith('refs/tags/')) return tagPushed(d, deliveryId, parsed.data, log);
  const plan = planPush(parsed.data, d.catalog);
  if (plan.kind === 'ignored') return { kind: 'ignored', reason: plan.reason };

  const r = await once(d, 'github', deliveryId, async () => {
    const source = {
      door: 'github' as const,
      eventId: deliveryId,
      ...(parsed.data.pusher?.name ? { actor: parsed.data.pusher.name } : {}),
    };
    const base = {
      environment: deployEnvironment(d),
      commit: plan.commit,
      source,
      correlationId: deliveryId,
      semanticDedup: true,
      allowQuarantined: false,
    };
    const outs: CreateOutcome[] = [];
    for (const app of plan.builds) {
      const progress = { ...(plan.compare ? { compare: plan.compare } : {}), truncated: plan.truncated };
      outs.push(await admitAndEnqueue(d, { ...base, app, kind: 'build', target: plan.commit, progress }, log));
    }
    if (plan.manifests)
      outs.push(
        await admitAndEnqueue(d, { ...base, app: MANIFEST_APP, kind: 'manifest', target: plan.commit, manifestCommit: plan.commit }, log),
      );
    return {
      releaseIds: outs.flatMap((o) => (o.kind === 'created' ? [o.release.id] : [])),
      duplicates: outs.flatMap((o) => (o.kind === 'duplicate' ? [o.releaseId] : [])),
    };
  });
  if (r.kind === 'duplicate') return { kind: 'duplicate', releaseIds: r.duplicate.releaseIds, inFlight: r.duplicate.inFlight };
  return { kind: 'accepted', ...r.result };
}

/** A pushed tag vX.Y.Z: one version release per app, each tagging that app's image of the commit. */
async function tagPushed(d: IntakeDeps, deliveryId: string, push: PushEvent, log: Logger): Promise<GithubOutcome> {
  if (push.repository.full_name.toLowerCase() !== d.catalog.repository.toLowerCase())
    return {
      kind: 'ignored',
      reason: `repository ${push.repository.full_name} is not deployed here (configured: ${d.catalog.repository})`,
    };
  const plan = planTagPush(push, d.catalog);
  if (plan.kind === 'ignored') return plan;
  const r = await once(d, 'github', deliveryId, async () => {
    const outs: CreateOutcome[] = [];
    for (const app of d.catalog.apps) {
      outs.push(
        await admitAndEnqueue(
          d,
          {
            app: app.name,
            environment: deployEnvironment(d),
            kind: 'version',
            target: plan.version,
            commit: plan.commit,
            version: plan.version,
            source: {
              door: 'github',
              eventId: deliveryId,
              ...(push.pusher?.name ? { actor: push.pusher.name } : {}),
              reason: `tag ${plan.version} pushed`,
            },
            correlationId: deliveryId,
            semanticDedup: false,
            allowQuarantined: false,
          },
          log,
        ),
      );
    }
    return {
      releaseIds: outs.flatMap((o) => (o.kind === 'created' ? [o.release.id] : [])),
      duplicates: outs.flatMap((o) => (o.kind === 'duplicate' ? [o.releaseId] : [])),
    };
  });
  if (r.kind === 'duplicate') return { kind: 'duplicate', releaseIds: r.duplicate.releaseIds, inFlight: r.duplicate.inFlight };
  return { kind: 'accepted', ...r.result };
}
