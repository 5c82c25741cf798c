/**
 * Pipeline reaction times with the full sandbox in-process (the same slots `npm start` uses), fast
 * settings as in test/e2e/pipeline.test.ts. Each figure is "the deployer's timeline entry" minus
 * "the moment the fact became visible on the far side":
 *  (a) rollout complete: the fake API server's Deployment first shows every replica updated and
 *      available with the target image (GET /_sandbox, polled every 20 ms) → `verifying`;
 *  (b) rollout failure: a pod of the new image first reports CrashLoopBackOff over the pods API
 *      (polled every 20 ms) → `rolling_back`;
 *  (c) telemetry breach: the error-rate profile switches at T, a random point of the observation;
 *      the breach is visible from the first instant t ≥ T at which the window [verifyStartedAt, t)
 *      already breaches (the fake's own requests judged by the deployer's decision code,
 *      decideVerification, with its settings) → `rolling_back`.
 * Timeline entries carry the tick's start time, taken just before it reads the far side.
 */
import { Agent, request } from 'node:https';
import type { LocalHost } from '../src/local/host.js';
import { sandboxSlots } from '../src/sandbox/index.js';
import type { FakeKubernetes } from '../src/sandbox/kubernetes/server.js';
import type { MonitorFake } from '../src/sandbox/monitor/fake.js';
import { HEALTHY } from '../src/sandbox/monitor/slot.js';
import { decideVerification } from '../src/services/verification/index.js';
import { api, postEvents, startTestHost } from '../test/helpers/host.js';
import { max, median, round, until } from './stats.js';

export const FAST = {
  ROLLOUT_POLL_SECONDS: '1',
  ROLLOUT_DEADLINE_SECONDS: '30',
  VERIFY_WINDOW_SECONDS: '4',
  VERIFY_INTERVAL_SECONDS: '1',
  VERIFY_MIN_REQUESTS: '10',
  SCAN_POLL_SECONDS: '1',
  SMOKE_RETRIES: '1',
  SANDBOX_KUBE_TIME_SCALE: '0.1',
};

export interface Reaction {
  what: string;
  runs: number;
  samplesS: number[];
  medianS: number;
  maxS: number;
  budgetS: number;
  budgetAtDefaultsS: number;
  setting: string;
}

const NS = 'tail-spin';
const ROLE = 'tailspin-server';
const digest = (n: number) => `sha256:${n.toString(16).padStart(4, '0').repeat(16)}`;

interface View {
  phase: string;
  timeline: { at: string; to: string }[];
}

export async function pipelineReactions(runs = 3): Promise<Reaction[]> {
  const host = await startTestHost(FAST, sandboxSlots);
  try {
    return await measure(host, runs);
  } finally {
    await host.stop();
  }
}

async function measure(host: LocalHost, runs: number): Promise<Reaction[]> {
  const handle = <T>(name: string) => host.sandbox.find((s) => s.name === name)?.handle as T;
  const kube = handle<FakeKubernetes>('kubernetes');
  const monitor = handle<MonitorFake>('log-analytics');
  const agent = new Agent({ keepAlive: true, ca: kube.ca });
  const getJson = (path: string, auth = false) =>
    new Promise<unknown>((resolve, reject) => {
      const req = request(`${kube.url}${path}`, { agent, headers: auth ? { authorization: `Bearer ${kube.token}` } : {} }, (res) => {
        let s = '';
        res.on('data', (c: Buffer) => (s += c.toString()));
        res.on('end', () => resolve(JSON.parse(s)));
      });
      req.on('error', reject);
      req.end();
    });
  const view = async (id: string) => (await (await api(host, `/deployments/${id}`)).json()) as View;
  const at = async (id: string, phase: string) => {
    const v = await until(
      async () => ((await view(id)).timeline.some((e) => e.to === phase) ? await view(id) : undefined),
      `${id} → ${phase}`,
      60_000,
      100,
    );
    return Date.parse(v.timeline.find((e) => e.to === phase)?.at ?? '');
  };
  const settle = (id: string) =>
    until(
      async () =>
        ['succeeded', 'rolled_back', 'failed', 'blocked', 'unverified', 'superseded'].includes((await view(id)).phase) ? true : undefined,
      `${id} to end`,
      90_000,
      200,
    );
  let seq = 0;
  const push = async (n: number) => {
    const event = {
      id: `bench-${n}-${++seq}`,
      eventType: 'Microsoft.ContainerRegistry.ImagePushed',
      eventTime: new Date().toISOString(),
      data: { target: { digest: digest(n), repository: ROLE, tag: `b${n}` }, request: { host: 'tailspinacr.azurecr.io' } },
    };
    const body = (await (await postEvents(host, [event])).json()) as { results: { outcome: string; releaseId?: string }[] };
    const id = body.results[0]?.releaseId;
    if (!id) throw new Error(`bench: no release for ${digest(n)}: ${JSON.stringify(body)}`);
    return id;
  };

  const rolloutDone = (n: number) => async () => {
    const v = (await getJson('/_sandbox')) as {
      deployments: { name: string; generation: number; images: string[]; status?: Record<string, unknown> }[];
    };
    const d = v.deployments.find((x) => x.name === ROLE);
    const s = d?.status ?? {};
    const done =
      d?.images.some((i) => i.includes(digest(n))) &&
      s.observedGeneration === d.generation &&
      Number(s.replicas ?? 0) > 0 &&
      s.replicas === s.updatedReplicas &&
      s.updatedReplicas === s.availableReplicas;
    return done ? Date.now() : undefined;
  };
  const crashing = (n: number) => async () => {
    const pods = (await getJson(`/api/v1/namespaces/${NS}/pods`, true)) as {
      items: {
        spec: { containers: { image: string }[] };
        status?: { containerStatuses?: { state?: { waiting?: { reason?: string } } }[] };
      }[];
    };
    const bad = pods.items.some(
      (p) =>
        p.spec.containers.some((c) => c.image.includes(digest(n))) &&
        p.status?.containerStatuses?.some((c) => c.state?.waiting?.reason === 'CrashLoopBackOff'),
    );
    return bad ? Date.now() : undefined;
  };

  const { verification: rule, verifyWindowSeconds } = host.services.pipeline.settings;
  const completion: number[] = [];
  const breach: number[] = [];
  const failure: number[] = [];
  let n = 0x100;
  for (let i = 0; i < runs; i++) {
    // (a) and (c) on the same good release: complete → verifying, then a breach while verifying.
    const d = ++n;
    const id = await push(d);
    const complete = await until(rolloutDone(d), `rollout of ${digest(d)}`, 60_000, 20);
    completion.push((await at(id, 'verifying')) - complete);
    const started = await until(
      async () => {
        const r = await host.services.pipeline.store.get(id);
        return typeof r?.progress.verifyStartedAt === 'string' ? Date.parse(r.progress.verifyStartedAt) : undefined;
      },
      'smoke to pass',
      30_000,
      20,
    );
    // A random point inside the next analysis interval, so the figure is not phase-locked to the ticks.
    await new Promise((r) => setTimeout(r, 300 + Math.random() * 1000));
    const T = new Date();
    const bad = { rps: 20, errorRate: 0.2, p95Ms: 150 };
    monitor.setProfile(ROLE, bad, T);
    let visible = T.getTime();
    for (; visible < T.getTime() + 10_000; visible += 5) {
      const m = monitor.simulation.measure({ role: ROLE, from: new Date(started), to: new Date(visible), slowAboveMs: rule.p95MsMax });
      const look = { atS: (visible - started) / 1000, ...m.retained };
      if (decideVerification({ looks: [look], windowS: verifyWindowSeconds }, rule).outcome === 'breach') break;
    }
    breach.push((await at(id, 'rolling_back')) - visible);
    await settle(id);
    monitor.setProfile(ROLE, HEALTHY, new Date());

    // (b) a crashing image.
    const c = ++n;
    kube.setImageBehaviour(digest(c), 'crash');
    const cid = await push(c);
    const crashed = await until(crashing(c), `CrashLoopBackOff of ${digest(c)}`, 60_000, 20);
    failure.push((await at(cid, 'rolling_back')) - crashed);
    await settle(cid);
  }
  agent.destroy();
  const poll = Number(FAST.ROLLOUT_POLL_SECONDS);
  const interval = Number(FAST.VERIFY_INTERVAL_SECONDS);
  const fig = (what: string, ms: number[], budgetS: number, budgetAtDefaultsS: number, setting: string): Reaction => ({
    what,
    runs: ms.length,
    samplesS: ms.map((x) => round(x / 1000, 2)),
    medianS: round(median(ms) / 1000, 2),
    maxS: round(max(ms) / 1000, 2),
    budgetS,
    budgetAtDefaultsS,
    setting,
  });
  return [
    fig('rollout complete → verifying', completion, poll, 5, `ROLLOUT_POLL_SECONDS=${poll} (default 5)`),
    fig('rollout failure (CrashLoopBackOff) → rolling_back', failure, poll, 5, `ROLLOUT_POLL_SECONDS=${poll} (default 5)`),
    fig('telemetry breach → rolling_back', breach, interval, 30, `VERIFY_INTERVAL_SECONDS=${interval} (default 30)`),
  ];
}
