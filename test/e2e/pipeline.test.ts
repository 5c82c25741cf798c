/**
 * Whole releases through the local host with azurite and the full sandbox (Kubernetes API,
 * GitHub API, Log Analytics and ACR fakes, started by the same slots `npm start` uses). The
 * production adapters are the code under test; each failure path ends `rolled_back` with one
 * GitHub issue and the previous digest running.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHost } from '../../src/local/host.js';
import { sandboxSlots } from '../../src/sandbox/index.js';
import type { FakeKubernetes } from '../../src/sandbox/kubernetes/server.js';
import type { GitHubFake } from '../../src/sandbox/github/server.js';
import type { MonitorFake } from '../../src/sandbox/monitor/fake.js';
import type { AcrFake } from '../../src/sandbox/acr/fake.js';
import { HEALTHY } from '../../src/sandbox/monitor/slot.js';
import type { TrafficProfile } from '../../src/sandbox/monitor/simulation.js';
import { api, eventually, postEvents, startTestHost } from '../helpers/host.js';
import { admitted, isEnded, badFromDeploy as badFromDeployOf } from '../helpers/releases.js';
import { reconcile } from '../../src/services/pipeline/reconcile.js';
import type { PipelineDeps } from '../../src/services/pipeline/deps.js';
import { isTerminal } from '../../src/services/domain/release.js';

const W = { namespace: 'tail-spin', deployment: 'tailspin-server', container: 'tailspin-server' };
const digest = (n: number) => `sha256:${n.toString(16).padStart(4, '0').repeat(16)}`;
const pinned = (n: number) => `tailspinacr.azurecr.io/tailspin-server@${digest(n)}`;

let host: LocalHost;
let kube: FakeKubernetes;
let github: GitHubFake;
let monitor: MonitorFake;
let acr: AcrFake;

beforeAll(async () => {
  host = await startTestHost(
    {
      ROLLOUT_POLL_SECONDS: '1',
      ROLLOUT_DEADLINE_SECONDS: '20',
      VERIFY_WINDOW_SECONDS: '3',
      VERIFY_INTERVAL_SECONDS: '1',
      VERIFY_MIN_REQUESTS: '10',
      SCAN_POLL_SECONDS: '1',
      SMOKE_RETRIES: '1',
      SANDBOX_KUBE_TIME_SCALE: '0.1',
    },
    sandboxSlots,
  );
  const handle = <T>(name: string) => host.sandbox.find((s) => s.name === name)?.handle as T;
  kube = handle<FakeKubernetes>('kubernetes');
  github = handle<GitHubFake>('github');
  monitor = handle<MonitorFake>('log-analytics');
  acr = handle<AcrFake>('acr');
}, 120_000);
afterAll(async () => host?.stop());

interface View {
  id: string;
  phase: string;
  timeline: { to: string; reason: string }[];
  outcome: Record<string, unknown>;
  links: Record<string, string>;
}

let seq = 0;
async function push(n: number, tag = `v${n}`): Promise<string> {
  const event = {
    id: `e2e-${n}-${++seq}`,
    eventType: 'Microsoft.ContainerRegistry.ImagePushed',
    eventTime: new Date().toISOString(),
    dataVersion: '1.0',
    data: {
      target: { digest: digest(n), repository: 'tailspin-server', tag, mediaType: 'application/vnd.docker.distribution.manifest.v2+json' },
      request: { host: 'tailspinacr.azurecr.io' },
    },
  };
  const body = (await (await postEvents(host, [event])).json()) as { results: { outcome: string; releaseId?: string; reason?: string }[] };
  const r = body.results[0];
  if (r?.outcome !== 'accepted' || !r.releaseId) throw new Error(`expected an accepted event, got ${JSON.stringify(body)}`);
  const admission = await admitted(host, r.releaseId);
  if (admission.admission) throw new Error(`expected a release, got ${JSON.stringify(admission)}`);
  return r.releaseId;
}

async function settle(id: string): Promise<View> {
  return eventually(
    async () => {
      const v = (await (await api(host, `/deployments/${id}`)).json()) as View;
      return isEnded(v.phase) ? v : undefined;
    },
    `release ${id} to end`,
    60_000,
    250,
  );
}

const running = async () => {
  const o = await host.services.pipeline.cluster.observe(W);
  if (!o.ok) throw new Error(o.error.message);
  return o.value.image;
};
const phases = (v: View) => v.timeline.map((e) => e.to);

const badFromDeploy = (id: string, profile: TrafficProfile): Promise<void> =>
  badFromDeployOf(host, monitor, 'tailspin-server', id, profile);
const issuesFor = (n: number) => github.state.issues.filter((i) => (i.body ?? '').includes(digest(n)));

describe('releases end to end through the sandbox', { timeout: 120_000 }, () => {
  it('a good image release scans, deploys by digest, verifies and succeeds; GitHub hears about it', async () => {
    const id = await push(1);
    const v = await settle(id);
    expect(phases(v)).toEqual(['queued', 'scanning', 'deploying', 'verifying', 'succeeded']);
    expect(await running()).toBe(pinned(1));
    // The ending's notices are sent right after the ending is saved (#14's outbox): wait for them, don't race them.
    const dep = await eventually(
      // eslint-disable-next-line @typescript-eslint/require-await -- eventually takes a promise-returning probe
      async () => {
        const d = github.state.deployments.find((x) => (x.payload as { releaseId?: string }).releaseId === id);
        return d && d.statuses.length >= 3 ? d : undefined;
      },
      'the GitHub Deployment to hear the ending',
      10_000,
      50,
    );
    expect(dep.statuses.map((s) => s.state)).toEqual(['in_progress', 'in_progress', 'success']);
    expect(v).toMatchObject({ scan: { outcome: 'pass' }, measurements: { requests: expect.any(Number) } });
  });

  it('a redelivery of the running digest creates nothing new', async () => {
    const body = (await (
      await postEvents(host, [
        {
          id: 'redeliver-1',
          eventType: 'Microsoft.ContainerRegistry.ImagePushed',
          data: { target: { digest: digest(1), repository: 'tailspin-server', tag: 'v1' }, request: { host: 'tailspinacr.azurecr.io' } },
        },
      ])
    ).json()) as { results: { outcome: string; releaseId: string }[] };
    // A new event id is accepted at the door (#19); semantic dedup at admission makes it a duplicate of the running release.
    expect(body.results[0]?.outcome).toBe('accepted');
    expect(await admitted(host, body.results[0]?.releaseId ?? '')).toMatchObject({ admission: 'duplicate' });
  });

  it('a crashing rollout is rolled back to the last good digest with exactly one issue, and does not loop', async () => {
    kube.setImageBehaviour(digest(2), 'crash');
    const v = await settle(await push(2));
    expect(v.phase).toBe('rolled_back');
    expect(phases(v)).toEqual(['queued', 'scanning', 'deploying', 'rolling_back', 'rolled_back']);
    expect(v.timeline.find((e) => e.to === 'rolling_back')?.reason).toMatch(/CrashLoopBackOff|crash/i);
    expect(await running()).toBe(pinned(1));
    expect(issuesFor(2)).toHaveLength(1);
    // The quarantined digest is not deployed again by automation, whatever event brings it.
    const again = (await (
      await postEvents(host, [
        {
          id: 'after-rollback',
          eventType: 'Microsoft.ContainerRegistry.ImagePushed',
          data: { target: { digest: digest(2), repository: 'tailspin-server', tag: 'v2b' }, request: { host: 'tailspinacr.azurecr.io' } },
        },
      ])
    ).json()) as { results: { outcome: string; releaseId: string }[] };
    // Accepted at the door; admission (behind the queue since #19) refuses the quarantined digest.
    expect(again.results[0]?.outcome).toBe('accepted');
    expect(await admitted(host, again.results[0]?.releaseId ?? '')).toMatchObject({
      admission: 'ignored',
      reason: expect.stringMatching(/quarantined/),
    });
  });

  it('a failing smoke check rolls back', async () => {
    kube.proxy.set('tail-spin', 'tailspin-server', { status: 503, body: 'upstream down' });
    try {
      const v = await settle(await push(3));
      expect(v.phase).toBe('rolled_back');
      expect(v.timeline.find((e) => e.to === 'rolling_back')?.reason).toMatch(/smoke check failed.*503/);
      expect(await running()).toBe(pinned(1));
      expect(issuesFor(3)).toHaveLength(1);
    } finally {
      kube.proxy.set('tail-spin', 'tailspin-server', undefined);
    }
  });

  it('an error-rate breach rolls back, with measurements vs thresholds in the issue', async () => {
    try {
      const id = await push(4);
      await badFromDeploy(id, { rps: 20, errorRate: 0.2, p95Ms: 150 });
      const v = await settle(id);
      expect(v.phase).toBe('rolled_back');
      expect(v.timeline.find((e) => e.to === 'rolling_back')?.reason).toMatch(
        /^error rate [\d.]+ % \(95 % CI [\d.]+–[\d.]+ %\) is above 1 %: rolled back after \d+ samples?$/,
      );
      expect(await running()).toBe(pinned(1));
      const [issue] = issuesFor(4);
      expect(issue?.body).toMatch(/\| error rate \| \d+\.\d+% \| 1\.00% \|/);
    } finally {
      monitor.setProfile('tailspin-server', HEALTHY);
    }
  });

  it('a P95 breach rolls back', async () => {
    try {
      const id = await push(5);
      await badFromDeploy(id, { rps: 20, errorRate: 0, p95Ms: 3500 });
      const v = await settle(id);
      expect(v.phase).toBe('rolled_back');
      expect(v.timeline.find((e) => e.to === 'rolling_back')?.reason).toMatch(
        /^P95 is above 2 s: [\d.]+ % of requests slower than 2 s \(95 % CI [\d.]+–[\d.]+ %\), more than 5 %: rolled back after \d+ samples?$/,
      );
      expect(await running()).toBe(pinned(1));
      expect(issuesFor(5)).toHaveLength(1);
    } finally {
      monitor.setProfile('tailspin-server', HEALTHY);
    }
  });

  it('a telemetry outage ends unverified with an alert, not a pass and not a rollback', async () => {
    monitor.setOutage('http500');
    try {
      const v = await settle(await push(6));
      expect(v.phase).toBe('unverified');
      expect(v.timeline.at(-1)?.reason).toMatch(/telemetry unavailable/);
      expect(await running()).toBe(pinned(6));
      expect(issuesFor(6)).toHaveLength(1);
    } finally {
      monitor.setOutage('none');
    }
  });

  it('a vulnerable image is blocked by the scan gate and never reaches the cluster', async () => {
    const before = await running();
    acr.setReport({ digest: digest(7) }, 'vulnerable');
    const v = await settle(await push(7));
    expect(v.phase).toBe('blocked');
    expect(v.timeline.at(-1)?.reason).toMatch(/^scan gate: blocked: .*CRITICAL/);
    expect(await running()).toBe(before);
    expect(acr.calls.some((c) => c.path.endsWith('/scheduleRun'))).toBe(true);
    const [issue, ...more] = issuesFor(7);
    expect(more).toHaveLength(0);
    expect(issue?.title).toMatch(/^Blocked by the scan gate: tailspin-server in dev/);
    expect(issue?.labels).toContain('scan-blocked');
  });

  it('a worker killed between "image set" and "state saved" resumes without a second deploy or a lost record', async () => {
    const d = host.services.pipeline;
    const out = await d.store.create(
      {
        app: 'tailspin-server',
        environment: 'dev',
        kind: 'image',
        target: digest(8),
        image: { registry: 'tailspinacr.azurecr.io', repository: 'tailspin-server', digest: digest(8) },
        source: { door: 'manual', eventId: 'crash-test' },
        correlationId: 'crash-test',
        semanticDedup: false,
        allowQuarantined: true,
      },
      new Date(),
    );
    if (out.kind !== 'created') throw new Error(`expected a release, got ${out.kind}`);
    const id = out.release.id;
    let killed = false;
    // This test drives the release itself: no queue messages, so the host's own worker stays out of it.
    const worker: PipelineDeps = {
      ...d,
      queue: { enqueue: () => Promise.resolve() },
      store: {
        ...d.store,
        save: (r, change, now) => {
          if (!killed && r.progress.imageSetAt) {
            killed = true;
            return Promise.reject(new Error('worker killed after the image was set, before the state was saved'));
          }
          return d.store.save(r, change, now);
        },
      },
    };
    const patches = () => kube.calls.filter((c) => c.method === 'PATCH' && c.path.endsWith('/deployments/tailspin-server')).length;
    const before = patches();
    const final = await eventually(
      async () => {
        await reconcile(worker, id, { force: true }).catch((e: unknown) => {
          if (!(e instanceof Error) || !e.message.startsWith('worker killed')) throw e;
        });
        const r = await d.store.get(id);
        return r && isTerminal(r.phase) ? r : undefined;
      },
      'the release to finish after the crash',
      60_000,
      300,
    );
    expect(killed).toBe(true);
    expect(final.phase).toBe('succeeded');
    expect(patches() - before).toBe(1);
    expect(final.progress.imageChanged).toBe(false);
    expect(final.timeline.map((e) => e.to)).toEqual(['queued', 'scanning', 'deploying', 'verifying', 'succeeded']);
    expect(await running()).toBe(pinned(8));
  });
});
