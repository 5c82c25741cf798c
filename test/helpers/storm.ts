/**
 * A mixed storm for several hosts sharing one storage and one sandbox (src/local/cluster.ts):
 * N apps seeded into the Kubernetes fake, ImagePushed events, GitHub pushes and manual deploys,
 * every webhook event delivered twice to different hosts. Then the invariants: exactly one release
 * per event, one writer per Deployment, every release ended. Used by the scale-out e2e test (a
 * modest size) and by bench/storm.ts (the figures).
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTerminal, type Phase } from '../../src/services/domain/release.js';
import { oneWriterCheck } from './one-writer.js';

export const STORM_SECRET = 'storm-webhook-secret-0123456789';
export const STORM_KEY = 'storm-function-key-0123';
const REGISTRY = 'tailspinacr.azurecr.io';

export interface StormWorld {
  root: string;
  apps: string[];
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

const appName = (i: number) => `app-${String(i).padStart(2, '0')}`;
export const stormDigest = (app: string, k: number): string => `sha256:${createHash('sha256').update(`${app}/${k}`).digest('hex')}`;

function deployment(app: string): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    `metadata: { name: ${app}, namespace: tail-spin, labels: { app.kubernetes.io/name: ${app} } }`,
    'spec:',
    '  replicas: 1',
    `  selector: { matchLabels: { app.kubernetes.io/name: ${app} } }`,
    '  strategy: { type: RollingUpdate, rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } }',
    '  template:',
    `    metadata: { labels: { app.kubernetes.io/name: ${app} } }`,
    `    spec: { containers: [{ name: ${app}, image: "${REGISTRY}/${app}:latest" }] }`,
    '',
  ].join('\n');
}

/** A root whose k8s/apps holds one Deployment per app (what the sandbox seeds), and the settings for a fast pipeline. */
export async function stormWorld(n: number): Promise<StormWorld> {
  const root = await mkdtemp(join(tmpdir(), 'tailspin-storm-'));
  const apps = Array.from({ length: n }, (_, i) => appName(i));
  await mkdir(join(root, 'k8s', 'apps'), { recursive: true });
  await writeFile(join(root, 'k8s', 'apps', 'namespace.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: { name: tail-spin }\n');
  for (const app of apps) await writeFile(join(root, 'k8s', 'apps', `${app}.yaml`), deployment(app));
  const catalog = {
    repository: 'tailspin/storm',
    deployBranch: 'main',
    manifestPath: 'k8s/apps/',
    apps: apps.map((app) => ({
      name: app,
      sourcePaths: [`${app}/`],
      dockerfile: `${app}/Dockerfile`,
      buildContext: app,
      acrRepository: app,
      namespace: 'tail-spin',
      deployment: app,
      container: app,
      telemetryRole: app,
      environments: ['dev'],
    })),
  };
  const env = {
    GITHUB_WEBHOOK_SECRET: STORM_SECRET,
    TAILSPIN_LOCAL_FUNCTION_KEY: STORM_KEY,
    GITHUB_REPOSITORY: catalog.repository,
    GITHUB_DEPLOY_BRANCH: catalog.deployBranch,
    ACR_LOGIN_SERVER: REGISTRY,
    TAILSPIN_ENVIRONMENTS: 'dev',
    TAILSPIN_CATALOG: JSON.stringify(catalog),
    TAILSPIN_SANDBOX: 'on',
    ROLLOUT_POLL_SECONDS: '1',
    ROLLOUT_DEADLINE_SECONDS: '60',
    VERIFY_WINDOW_SECONDS: '2',
    VERIFY_INTERVAL_SECONDS: '1',
    VERIFY_MIN_REQUESTS: '1',
    SCAN_POLL_SECONDS: '1',
    BUILD_POLL_SECONDS: '1',
    SANDBOX_KUBE_TIME_SCALE: '0.05',
    LOG_LEVEL: 'error',
  };
  return { root, apps, env, cleanup: () => rm(root, { recursive: true, force: true }) };
}

export type StormEvent =
  | { kind: 'acr'; key: string; app: string; body: string }
  | { kind: 'push'; key: string; app: string; body: string }
  | { kind: 'manual'; key: string; app: string; body: string };

/** Per app: `images` ImagePushed events (new digests); every 5th app also a push, every 7th a manual deploy. */
export function stormPlan(apps: string[], images = 1): StormEvent[] {
  const out: StormEvent[] = [];
  apps.forEach((app, i) => {
    for (let k = 0; k < images; k++) {
      const id = `storm-${app}-${k}-${randomUUID().slice(0, 8)}`;
      const event = {
        id,
        eventType: 'Microsoft.ContainerRegistry.ImagePushed',
        eventTime: new Date().toISOString(),
        dataVersion: '1.0',
        data: { target: { digest: stormDigest(app, k), repository: app, tag: `v${k}` }, request: { host: REGISTRY } },
      };
      out.push({ kind: 'acr', key: id, app, body: JSON.stringify([event]) });
    }
    if (i % 5 === 0) {
      const sha = createHash('sha1').update(`${app}/${randomUUID()}`).digest('hex');
      const commit = {
        id: sha,
        message: 'storm',
        timestamp: new Date().toISOString(),
        added: [],
        removed: [],
        modified: [`${app}/main.py`],
      };
      const push = {
        ref: 'refs/heads/main',
        before: 'f'.repeat(40),
        after: sha,
        commits: [commit],
        head_commit: commit,
        repository: { full_name: 'tailspin/storm' },
      };
      out.push({ kind: 'push', key: randomUUID(), app, body: JSON.stringify(push) });
    }
    if (i % 7 === 0) {
      const body = { app, environment: 'dev', action: 'deploy', image: `${REGISTRY}/${app}@${stormDigest(app, 100)}`, reason: 'storm' };
      out.push({ kind: 'manual', key: `storm-${app}-${randomUUID().slice(0, 8)}`, app, body: JSON.stringify(body) });
    }
  });
  return out;
}

function send(url: string, e: StormEvent): Promise<Response> {
  if (e.kind === 'acr')
    return fetch(`${url}/api/acr/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-functions-key': STORM_KEY },
      body: e.body,
    });
  if (e.kind === 'push')
    return fetch(`${url}/api/github/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': e.key,
        'x-hub-signature-256': `sha256=${createHmac('sha256', STORM_SECRET).update(e.body).digest('hex')}`,
      },
      body: e.body,
    });
  return fetch(`${url}/api/deployments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-functions-key': STORM_KEY, 'idempotency-key': e.key },
    body: e.body,
  });
}

/** The release ids one answer names (accepted, duplicate or manual). */
async function idsOf(e: StormEvent, res: Response): Promise<string[]> {
  const body = (await res.json()) as { releaseIds?: string[]; releaseId?: string; results?: { releaseId?: string }[] };
  if (e.kind === 'acr') return (body.results ?? []).flatMap((r) => (r.releaseId ? [r.releaseId] : []));
  if (e.kind === 'push') return body.releaseIds ?? [];
  return body.releaseId ? [body.releaseId] : [];
}

export interface StormSent {
  /** Per event key: the release ids each of its two deliveries was answered with. */
  answers: Map<string, string[][]>;
  statuses: Record<string, number>;
  /** Per release id: when the first answer naming it arrived (ms since epoch), for ack-to-end times. */
  ackedAt: Map<string, number>;
  /** Deliveries sent again after a connection error, and the most tries one delivery needed. */
  resent: { errors: number; maxInARow: number; codes: Record<string, number> };
  sentAt: number;
  answeredAt: number;
}

/**
 * Every event twice, to two different hosts (round robin), `concurrency` requests at a time. An
 * answer that says "still in flight, again later" is sent again, as Event Grid or a script would.
 */
export async function fireStorm(urls: string[], events: StormEvent[], concurrency = 8): Promise<StormSent> {
  // All first copies, then all second ones (each to another host): a redelivery comes later, as from Event Grid.
  const deliveries = [0, 1].flatMap((copy) => events.map((e, i) => ({ e, url: urls[(i + copy) % urls.length] as string })));
  const answers = new Map<string, string[][]>();
  const statuses: Record<string, number> = {};
  const ackedAt = new Map<string, number>();
  const resent = { errors: 0, maxInARow: 0, codes: {} as Record<string, number> };
  const sentAt = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < deliveries.length) {
      const d = deliveries[next++];
      if (!d) break;
      // Event Grid retries for up to a day; the storm gives each delivery two minutes of "again later" answers.
      const giveUpAt = Date.now() + 120_000;
      for (let attempt = 0; ; attempt++) {
        // A keep-alive connection the host closed as the request went out (ECONNRESET): send it again, as a sender would.
        const res = await send(d.url, d.e).catch((e: unknown) => {
          const code = errorCode(e);
          resent.errors++;
          resent.codes[code] = (resent.codes[code] ?? 0) + 1;
          resent.maxInARow = Math.max(resent.maxInARow, attempt + 1);
          if (attempt < 20) return undefined;
          throw e;
        });
        if (!res) {
          // A loaded machine widens the keep-alive race: a short pause before the next try.
          await new Promise((r) => setTimeout(r, 200));
          continue;
        }
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        // 503: an ACR event another delivery is still admitting; 409: a manual key still being processed. Both say "again later".
        if ((res.status === 503 || (res.status === 409 && d.e.kind === 'manual')) && Date.now() < giveUpAt) {
          await res.body?.cancel();
          await new Promise((r) => setTimeout(r, 250));
          continue;
        }
        if (res.status >= 400) throw new Error(`storm: ${d.e.kind} ${d.e.key} answered ${res.status}: ${await res.text()}`);
        const ids = await idsOf(d.e, res);
        for (const id of ids) if (!ackedAt.has(id)) ackedAt.set(id, Date.now());
        answers.set(d.e.key, [...(answers.get(d.e.key) ?? []), ids]);
        break;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { answers, statuses, ackedAt, resent, sentAt, answeredAt: Date.now() };
}

/** undici's fetch failure carries the socket's error (ECONNRESET, UND_ERR_SOCKET…) as its cause. */
function errorCode(e: unknown): string {
  const cause = (e as { cause?: { code?: string } })?.cause;
  return cause?.code ?? (e instanceof Error ? e.name : 'unknown');
}

interface Timeline {
  at: string;
  to: string;
}
interface ReleaseDoc {
  id: string;
  app: string;
  kind?: string;
  createdAt?: string;
  phase?: string;
  timeline?: Timeline[];
  admission?: string;
  of?: string;
}

export interface StormReport {
  events: number;
  /** Events whose two deliveries named different release ids (must be 0). */
  split: number;
  /** Release ids that became releases, and those that admission folded into another (duplicate/ignored). */
  releases: number;
  folded: number;
  /** Releases not ended by the deadline (must be 0). */
  stuck: string[];
  /**
   * Breaks of "one writer per Deployment" (must be 0): two releases of one app holding it at once, or
   * a change to a Deployment outside its writer's hold — by the storage's commit times and the
   * cluster's own record of changes (helpers/one-writer.ts), never by when a tick started.
   */
  overlaps: string[];
  /** What the one-writer check had to go on (both must be more than 0 for it to mean anything). */
  oneWriter: { spans: number; writes: number };
  phases: Record<string, number>;
  /** From the first delivery to the last release's end. */
  seconds: number;
  releasesPerMinute: number;
  /**
   * Releases/min while the bulk of them ended: between the ends of the 10th and the 90th percentile
   * release, so neither the ramp-up nor the longest single chain of one app decides the figure.
   */
  steadyPerMinute: number;
  /** Releases that went through a deploy (entered deploying), and how many of them per minute of the storm. */
  deployed: number;
  deployedPerMinute: number;
  /** Per release kind: how many, how many deployed, and seconds from the first answer naming it to its end (p50/p90). */
  byKind: Record<string, { releases: number; deployed: number; ackToEndS: Spread }>;
  /** Seconds spent in each phase, over the releases that were in it (queued counts from createdAt). */
  phaseS: Record<string, Spread & { n: number }>;
}

export interface Spread {
  p50: number;
  p90: number;
}

/**
 * Follow every named release id to its end (or the deadline) and check the invariants. `shared`: the
 * settings the hosts share (storage, the sandbox's kubeconfig), for the one-writer check.
 */
export async function settleStorm(url: string, sent: StormSent, deadlineMs: number, shared: Record<string, string>): Promise<StormReport> {
  let split = 0;
  const ids = new Set<string>();
  for (const lists of sent.answers.values()) {
    const [a, b] = lists.map((l) => l.join());
    if (a !== b) split++;
    for (const l of lists) for (const id of l) ids.add(id);
  }
  const until = Date.now() + deadlineMs;
  const headers = { 'x-functions-key': STORM_KEY };
  const get = async (id: string): Promise<ReleaseDoc | undefined> => {
    const res = await fetch(`${url}/api/deployments/${id}`, { headers });
    if (res.status === 200) return (await res.json()) as ReleaseDoc;
    await res.body?.cancel();
    return undefined;
  };
  // One listing a round tells which releases ended (a GET per open id would load the hosts being measured).
  const open = new Set(ids);
  while (open.size > 0 && Date.now() < until) {
    const res = await fetch(`${url}/api/deployments?limit=500`, { headers });
    if (!res.ok) {
      // A listing that failed (a host busy or restarting its reads) is asked again next round; the deadline still holds.
      process.stderr.write(`storm: listing answered ${res.status}: ${(await res.text()).slice(0, 300)}\n`);
      await new Promise((r) => setTimeout(r, 1000));
      continue;
    }
    const listed = (await res.json()) as { releases: ReleaseDoc[] };
    const phase = new Map(listed.releases.map((r) => [r.id, r.phase ?? '']));
    for (const id of [...open]) {
      const p = phase.get(id);
      if (p !== undefined) {
        if (isTerminal(p as Phase)) open.delete(id);
      } else if ((await get(id))?.admission) open.delete(id);
    }
    if (open.size > 0) await new Promise((r) => setTimeout(r, 1000));
  }
  const docs = new Map<string, ReleaseDoc>();
  for (const id of ids) {
    const doc = await get(id);
    if (doc) docs.set(id, doc);
  }
  const releases = [...docs.values()].filter((d) => !d.admission);
  const writers = await oneWriterCheck(shared, (app) => `tail-spin/${app}`);
  const phases: Record<string, number> = {};
  for (const r of releases) phases[r.phase ?? '?'] = (phases[r.phase ?? '?'] ?? 0) + 1;
  const lastEnd = Math.max(...releases.map((r) => new Date(r.timeline?.at(-1)?.at ?? 0).getTime()), sent.answeredAt);
  const seconds = (lastEnd - sent.sentAt) / 1000;
  return {
    events: sent.answers.size,
    split,
    releases: releases.length,
    folded: [...docs.values()].filter((d) => d.admission).length,
    stuck: [...open],
    overlaps: writers.violations,
    oneWriter: { spans: writers.spans, writes: writers.writes },
    phases,
    seconds: Math.round(seconds * 10) / 10,
    releasesPerMinute: Math.round((releases.length / seconds) * 60),
    steadyPerMinute: steadyRate(releases.map((r) => new Date(r.timeline?.at(-1)?.at ?? 0).getTime())),
    ...perRelease(releases, sent.ackedAt, seconds),
  };
}

const endOf = (r: ReleaseDoc): number => Date.parse(r.timeline?.at(-1)?.at ?? '') || 0;
const deployedOne = (r: ReleaseDoc): boolean => r.timeline?.some((t) => t.to === 'deploying') ?? false;

function spread(xs: number[]): Spread {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => Math.round((s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0) * 10) / 10;
  return { p50: at(0.5), p90: at(0.9) };
}

/** Figures that do not depend on how many releases a storm's timing superseded: per kind, per phase, deploys per minute. */
function perRelease(
  releases: ReleaseDoc[],
  ackedAt: Map<string, number>,
  seconds: number,
): Pick<StormReport, 'deployed' | 'deployedPerMinute' | 'byKind' | 'phaseS'> {
  const deployed = releases.filter(deployedOne).length;
  const byKind: StormReport['byKind'] = {};
  for (const kind of new Set(releases.map((r) => r.kind ?? '?'))) {
    const of = releases.filter((r) => (r.kind ?? '?') === kind);
    const waits = of.flatMap((r) => {
      const acked = ackedAt.get(r.id);
      return acked && endOf(r) ? [(endOf(r) - acked) / 1000] : [];
    });
    byKind[kind] = { releases: of.length, deployed: of.filter(deployedOne).length, ackToEndS: spread(waits) };
  }
  const inPhase = new Map<string, number[]>();
  for (const r of releases) {
    let from = r.createdAt ? Date.parse(r.createdAt) : NaN;
    let phase = 'queued';
    for (const t of r.timeline ?? []) {
      const at = Date.parse(t.at);
      if (!Number.isNaN(from) && phase !== t.to) inPhase.set(phase, [...(inPhase.get(phase) ?? []), (at - from) / 1000]);
      from = at;
      phase = t.to;
    }
  }
  const phaseS: StormReport['phaseS'] = {};
  for (const [phase, xs] of inPhase) phaseS[phase] = { n: xs.length, ...spread(xs) };
  return { deployed, deployedPerMinute: Math.round((deployed / seconds) * 60), byKind, phaseS };
}

/** Releases ended per minute between the 10th and the 90th percentile end (0 with too few to tell). */
function steadyRate(ends: number[]): number {
  const sorted = ends.filter((t) => t > 0).sort((a, b) => a - b);
  const lo = Math.floor(sorted.length * 0.1);
  const hi = Math.ceil(sorted.length * 0.9) - 1;
  const span = ((sorted[hi] ?? 0) - (sorted[lo] ?? 0)) / 60_000;
  return hi > lo && span > 0 ? Math.round((hi - lo) / span) : 0;
}
