/**
 * The deployer's own telemetry through the local host and the sandbox: a release that succeeds and one
 * that rolls back, then GET /api/metrics — the metrics OpenTelemetry aggregated, and each release's
 * trace (one span per phase under the release's root span, in the trace derived from its id).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHost } from '../../src/local/host.js';
import { sandboxSlots } from '../../src/sandbox/index.js';
import type { FakeKubernetes } from '../../src/sandbox/kubernetes/server.js';
import { rootSpanIdOf, traceIdOf } from '../../src/services/telemetry/ids.js';
import type { TelemetrySnapshot } from '../../src/services/telemetry/port.js';
import { api, eventually, postEvents, postWebhook, startTestHost } from '../helpers/host.js';
import { isEnded } from '../helpers/releases.js';

let host: LocalHost;
let kube: FakeKubernetes;

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
  kube = host.sandbox.find((s) => s.name === 'kubernetes')?.handle as FakeKubernetes;
}, 120_000);
afterAll(async () => host?.stop());

const digest = (n: number) => `sha256:${n.toString(16).padStart(4, '0').repeat(16)}`;

async function push(n: number): Promise<string> {
  const body = (await (
    await postEvents(host, [
      {
        id: `telemetry-${n}`,
        eventType: 'Microsoft.ContainerRegistry.ImagePushed',
        eventTime: new Date().toISOString(),
        dataVersion: '1.0',
        data: { target: { digest: digest(n), repository: 'tailspin-server', tag: `t${n}` }, request: { host: 'tailspinacr.azurecr.io' } },
      },
    ])
  ).json()) as { results: { releaseId?: string }[] };
  return body.results[0]!.releaseId!;
}

const settle = (id: string) =>
  eventually(
    async () => {
      const v = (await (await api(host, `/deployments/${id}`)).json()) as { phase: string; timeline: { to: string }[] };
      return isEnded(v.phase) ? v : undefined;
    },
    `release ${id} to end`,
    60_000,
    250,
  );

const metrics = async (query = ''): Promise<TelemetrySnapshot & { traceId?: string }> => {
  const res = await api(host, `/metrics${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as TelemetrySnapshot & { traceId?: string };
};

const points = (s: TelemetrySnapshot, name: string) => s.metrics.find((m) => m.name === name)?.points ?? [];

describe("the deployer's own telemetry, end to end", { timeout: 120_000 }, () => {
  let good: string;
  let bad: string;

  it('a release that succeeds: one trace, a span per phase under the release, its outcome and push-to-verified', async () => {
    good = await push(1);
    const v = await settle(good);
    expect(v.phase).toBe('succeeded');
    const snap = await metrics(`?releaseId=${good}`);
    expect(snap.traceId).toBe(traceIdOf(good));
    const root = snap.spans.find((s) => s.spanId === rootSpanIdOf(good))!;
    expect(root).toMatchObject({
      name: 'release tailspin-server',
      attributes: { 'release.id': good, outcome: 'succeeded', app: 'tailspin-server' },
    });
    expect(root.error).toBeUndefined();
    const phases = snap.spans.filter((s) => s.parentSpanId === root.spanId);
    expect(phases.map((s) => s.attributes.phase)).toEqual(['queued', 'scanning', 'deploying', 'verifying']);
    for (const s of phases) {
      expect(s.traceId).toBe(traceIdOf(good));
      expect(Date.parse(s.start)).toBeGreaterThanOrEqual(Date.parse(root.start));
      expect(Date.parse(s.end)).toBeLessThanOrEqual(Date.parse(root.end));
    }
    // Consecutive phases: each starts where the one before ended (the timeline's transition times).
    for (let i = 1; i < phases.length; i++) expect(phases[i]!.start).toBe(phases[i - 1]!.end);
  });

  it('a release that rolls back: the phase that failed and the release are errors, with the reason', async () => {
    kube.setImageBehaviour(digest(2), 'crash');
    bad = await push(2);
    const v = await settle(bad);
    expect(v.phase).toBe('rolled_back');
    const { spans } = await metrics(`?releaseId=${bad}`);
    const root = spans.find((s) => s.spanId === rootSpanIdOf(bad))!;
    expect(root).toMatchObject({ attributes: { outcome: 'rolled_back' }, error: true });
    const deploying = spans.find((s) => s.attributes.phase === 'deploying')!;
    expect(deploying).toMatchObject({ attributes: { to: 'rolling_back' }, error: true });
    expect(String(deploying.attributes.reason)).toMatch(/CrashLoopBackOff|crash/i);
    expect(spans.filter((s) => s.parentSpanId === root.spanId).map((s) => s.attributes.phase)).toEqual([
      'queued',
      'scanning',
      'deploying',
      'rolling_back',
    ]);
  });

  it('the metrics: outcomes, time in each phase, push-to-verified, scan duration, queue lag, webhook acknowledgements', async () => {
    const ping = await postWebhook(host, { event: 'ping', body: JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 }) });
    expect(ping.status).toBe(200);
    const snap = await metrics();
    expect(snap.exporters).toEqual(['memory']);
    const server = { app: 'tailspin-server', environment: 'dev', kind: 'image' };
    expect(points(snap, 'tailspin.releases.completed')).toEqual(
      expect.arrayContaining([
        { attributes: { ...server, outcome: 'succeeded' }, value: 1 },
        { attributes: { ...server, outcome: 'rolled_back' }, value: 1 },
      ]),
    );
    const phase = points(snap, 'tailspin.release.phase.duration');
    for (const [from, to] of [
      ['queued', 'scanning'],
      ['scanning', 'deploying'],
      ['deploying', 'verifying'],
      ['verifying', 'succeeded'],
      ['deploying', 'rolling_back'],
      ['rolling_back', 'rolled_back'],
    ])
      expect(phase.find((p) => p.attributes.phase === from && p.attributes.to === to)?.count, `${from} → ${to}`).toBeGreaterThanOrEqual(1);
    const verified = points(snap, 'tailspin.release.push_to_verified');
    expect(verified).toEqual([expect.objectContaining({ attributes: server, count: 1 })]);
    expect(verified[0]!.sum).toBeGreaterThan(0);
    expect(points(snap, 'tailspin.scan.duration')).toEqual([
      expect.objectContaining({ attributes: { ...server, verdict: 'passed' }, count: 2 }),
    ]);
    expect(points(snap, 'tailspin.queue.lag').reduce((n, p) => n + (p.count ?? 0), 0)).toBeGreaterThan(0);
    expect(points(snap, 'tailspin.webhook.ack.duration')).toEqual([
      expect.objectContaining({ attributes: { outcome: 'ignored', event: 'ping' }, count: 1 }),
    ]);
    expect(points(snap, 'tailspin.notifications.pending').every((p) => p.max === 0)).toBe(true);
  });

  it('needs the function key, and refuses a malformed release id with 400', async () => {
    expect((await fetch(`${host.url}/api/metrics`)).status).toBe(401);
    const res = await api(host, '/metrics?releaseId=../../x');
    expect(res.status).toBe(400);
  });
});
