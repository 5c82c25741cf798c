/**
 * The GitHub door: a verified push becomes build releases per changed app and a manifest release —
 * accepted with their ids reserved, admitted behind the queue (./accept.ts).
 */
import type { Logger, NewRelease } from '../ports.js';
import { planPush } from './github-push.js';
import { planTagPush } from './github-tag.js';
import { PushEvent } from './github-schema.js';
import { describeZodError } from './manual.js';
import { deployEnvironment, type IntakeDeps } from './admission.js';
import { acceptEvents } from './accept.js';

/** Manifest releases cover the whole k8s/ folder; they serialize on their own head. */
export const MANIFEST_APP = 'k8s';

export type GithubOutcome =
  | { kind: 'accepted'; releaseIds: string[] }
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
  const progress = { ...(plan.compare ? { compare: plan.compare } : {}), truncated: plan.truncated };
  const inputs: NewRelease[] = plan.builds.map((app) => ({ ...base, app, kind: 'build', target: plan.commit, progress }));
  if (plan.manifests) inputs.push({ ...base, app: MANIFEST_APP, kind: 'manifest', target: plan.commit, manifestCommit: plan.commit });
  if (inputs.length === 0) return { kind: 'ignored', reason: 'nothing to release in this push' };
  const [a] = await acceptEvents(d, [{ door: 'github', key: deliveryId, inputs }], log);
  if (!a) throw new Error('no answer for the accepted push');
  return a.state === 'duplicate'
    ? { kind: 'duplicate', releaseIds: a.releaseIds, inFlight: a.inFlight }
    : { kind: 'accepted', releaseIds: a.releaseIds };
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
  const inputs: NewRelease[] = d.catalog.apps.map((app) => ({
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
  }));
  const [a] = await acceptEvents(d, [{ door: 'github', key: deliveryId, inputs }], log);
  if (!a) throw new Error('no answer for the accepted tag push');
  return a.state === 'duplicate'
    ? { kind: 'duplicate', releaseIds: a.releaseIds, inFlight: a.inFlight }
    : { kind: 'accepted', releaseIds: a.releaseIds };
}
