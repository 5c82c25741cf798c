/** Following releases through a local host's API, and what people send it: pushes and ImagePushed events. */
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalHost } from '../../src/local/host.js';
import { TERMINAL_PHASES } from '../../src/services/domain/release.js';
import type { GitHubFake } from '../../src/sandbox/github/server.js';
import type { MonitorFake } from '../../src/sandbox/monitor/fake.js';
import type { TrafficProfile } from '../../src/sandbox/monitor/simulation.js';
import { repoRoot } from './fixtures.js';
import { api, eventually, postEvents, postWebhook } from './host.js';

export interface View {
  id: string;
  phase: string;
  kind: string;
  image?: string;
  waitingFor?: { on: string; for: string };
  timeline: { at: string; from: string | null; to: string; reason: string }[];
  outcome: { manifest?: { pins: Record<string, string>; images?: { image: string; verdict: string }[] } } & Record<string, unknown>;
}

/** A release phase no step moves on from (the domain's list, so tests never keep their own copy). */
export const isEnded = (phase: string): boolean => (TERMINAL_PHASES as readonly string[]).includes(phase);
export const digest = (n: number): string => `sha256:${n.toString(16).padStart(4, '0').repeat(16)}`;
export const pinned = (n: number, repo = 'tailspin-server'): string => `tailspinacr.azurecr.io/${repo}@${digest(n)}`;

export const view = async (host: LocalHost, id: string): Promise<View> => (await (await api(host, `/deployments/${id}`)).json()) as View;

/** What GET /api/deployments/{id} says of a reserved id once admission has decided: a release view, or `admission` with why not. */
export type Admitted = Partial<View> & Record<string, unknown> & { admission?: 'duplicate' | 'ignored'; of?: string; reason?: string };

/** The GitHub and ACR doors reserve ids and admit behind the queue: wait until admission has decided about `id`. */
export const admitted = (host: LocalHost, id: string, ms = 30_000): Promise<Admitted> =>
  eventually(
    async () => {
      const res = await api(host, `/deployments/${id}`);
      return res.status === 200 ? ((await res.json()) as Admitted) : undefined;
    },
    `admission of ${id}`,
    ms,
    50,
  );

export const settle = (host: LocalHost, id: string, ms = 90_000): Promise<View> =>
  eventually(async () => ((v) => (isEnded(v.phase) ? v : undefined))(await view(host, id)), `release ${id} to end`, ms, 250);

/** Wait until the release's view satisfies `ok` (while it is still going). */
export const until = (host: LocalHost, id: string, what: string, ok: (v: View) => boolean, ms = 60_000): Promise<View> =>
  eventually(async () => ((v) => (ok(v) ? v : undefined))(await view(host, id)), `release ${id}: ${what}`, ms, 100);

/**
 * A tag push as GitHub sends it: `after` is the commit for a lightweight tag (for an annotated one, the
 * tag object: pass it in `extra`), head_commit the commit; base_ref null, so the tag is at no branch tip.
 */
export const tagPushBody = (ref: string, commit: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    ref,
    before: '0'.repeat(40),
    after: commit,
    created: true,
    deleted: false,
    base_ref: null,
    commits: [],
    head_commit: { id: commit, added: [], removed: [], modified: [] },
    repository: { full_name: 'tailspin/tailspin-toys' },
    pusher: { name: 'releaser' },
    ...extra,
  });

/** A lightweight tag `version` pushed on `commit`; each version release it made, followed by `follow` (e.g. to its end). */
export async function tagPushed<V>(host: LocalHost, version: string, commit: string, follow: (id: string) => Promise<V>): Promise<V[]> {
  const res = await postWebhook(host, { event: 'push', body: tagPushBody(`refs/tags/${version}`, commit) });
  if (res.status !== 202) throw new Error(`tag push ${version}: answered ${res.status}: ${await res.text()}`);
  return Promise.all(((await res.json()) as { releaseIds: string[] }).releaseIds.map(follow));
}

/** An ImagePushed event for `repository` at digest(n); the id of the release it made. */
export async function pushImage(host: LocalHost, n: number, repository = 'tailspin-server'): Promise<string> {
  const event = {
    id: `img-${n}-${randomBytes(4).toString('hex')}`,
    eventType: 'Microsoft.ContainerRegistry.ImagePushed',
    eventTime: new Date().toISOString(),
    dataVersion: '1.0',
    data: { target: { digest: digest(n), repository, tag: `v${n}` }, request: { host: 'tailspinacr.azurecr.io' } },
  };
  const body = (await (await postEvents(host, [event])).json()) as { results: { outcome: string; releaseId?: string }[] };
  const r = body.results[0];
  if (r?.outcome !== 'accepted' || !r.releaseId) throw new Error(`expected an accepted event, got ${JSON.stringify(body)}`);
  const admission = await admitted(host, r.releaseId);
  if (admission.admission) throw new Error(`expected a release, got ${JSON.stringify(admission)}`);
  return r.releaseId;
}

/** The repository's own k8s/apps files, each changed by `edit`, plus `extra`. */
export function manifestFiles(edit: (file: string, text: string) => string = (_f, t) => t, extra: Record<string, string> = {}) {
  const dir = join(repoRoot, 'k8s', 'apps');
  const files = readdirSync(dir).map((f) => ({ path: `k8s/apps/${f}`, content: edit(f, readFileSync(join(dir, f), 'utf8')) }));
  return [...files, ...Object.entries(extra).map(([path, content]) => ({ path, content }))];
}

/** Serve `files` at a new commit and push it (touching k8s/apps); the manifest release's id. */
export async function pushManifests(host: LocalHost, github: GitHubFake, files: { path: string; content: string }[]): Promise<string> {
  const sha = randomBytes(20).toString('hex');
  github.setTree(sha, files);
  const commit = { id: sha, message: 'k8s', timestamp: new Date().toISOString(), added: [], removed: [], modified: ['k8s/apps/x.yaml'] };
  const body = JSON.stringify({
    ref: 'refs/heads/main',
    before: 'f'.repeat(40),
    after: sha,
    created: false,
    deleted: false,
    forced: false,
    commits: [commit],
    head_commit: commit,
    repository: { full_name: 'tailspin/tailspin-toys' },
    pusher: { name: 'dev' },
  });
  const res = await postWebhook(host, { event: 'push', body });
  if (res.status !== 202) throw new Error(`push answered ${res.status}: ${await res.text()}`);
  const [id] = ((await res.json()) as { releaseIds: string[] }).releaseIds;
  if (!id) throw new Error('the push made no release');
  return id;
}

/**
 * A bad release: `role`'s traffic turns bad from the moment the cluster took the release's image, while the
 * version before stayed healthy (its window before the deploy is the baseline the rule compares with).
 */
export async function badFromDeploy(
  host: LocalHost,
  monitor: MonitorFake,
  role: string,
  id: string,
  profile: TrafficProfile,
): Promise<void> {
  const imageSetAt = await eventually(
    async () => (await host.services.store.get(id))?.progress.imageSetAt,
    `${id} to set its image`,
    30_000,
    20,
  );
  monitor.setProfile(role, profile, new Date(imageSetAt));
}
