/**
 * Verification end to end through the local host and the full sandbox, on the Log Analytics fake's
 * random traffic (seeded Poisson arrivals, independent failures, lognormal latency): healthy releases
 * pass one after another, bad ones are rolled back with their evidence in the issue, an app that
 * sends no telemetry and an app that was already failing before the deploy each get their own ending.
 *
 * Short settings keep it bounded: a 2 s window sampled every 1 s, and 600 requests/s per app, so a
 * window holds about 1200 requests — enough for the rule at its production error budgets
 * (α = β = 1 %) to prove a healthy release healthy within the window (it needs 263 good requests,
 * more with a failure or two); the fake cluster runs at 1/20 of real time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHost } from '../../src/local/host.js';
import { sandboxSlots } from '../../src/sandbox/index.js';
import type { GitHubFake } from '../../src/sandbox/github/server.js';
import type { MonitorFake } from '../../src/sandbox/monitor/fake.js';
import type { TrafficProfile } from '../../src/sandbox/monitor/simulation.js';
import { defaultCatalog } from '../../src/services/domain/catalog.js';
import type { ReleaseView } from '../../src/services/release-view.js';
import { api, eventually, postEvents, startTestHost } from '../helpers/host.js';
import { isEnded, badFromDeploy as badFromDeployOf } from '../helpers/releases.js';

const RPS = 600;
/** The sandbox's healthy profile (0.2 % errors, P95 180 ms) at e2e traffic. */
const HEALTHY: TrafficProfile = { rps: RPS, errorRate: 0.002, p95Ms: 180 };
const HOUR = 3_600_000;
const SERVER = 'tailspin-server';
const CLIENT = 'tailspin-client';
/** The client reports under another cloud role name than the catalog says: its telemetry never arrives. */
const WRONG_ROLE = 'tailspin-web';

const digest = (n: number) => `sha256:${n.toString(16).padStart(4, '0').repeat(16)}`;

let host: LocalHost;
let github: GitHubFake;
let monitor: MonitorFake;

beforeAll(async () => {
  const catalog = defaultCatalog('tailspin/tailspin-toys', 'main', ['dev']);
  catalog.apps = catalog.apps.map((a) => (a.name === CLIENT ? { ...a, telemetryRole: WRONG_ROLE } : a));
  host = await startTestHost(
    {
      ROLLOUT_POLL_SECONDS: '1',
      ROLLOUT_DEADLINE_SECONDS: '20',
      VERIFY_WINDOW_SECONDS: '2',
      VERIFY_INTERVAL_SECONDS: '1',
      SCAN_POLL_SECONDS: '1',
      SMOKE_RETRIES: '1',
      SANDBOX_KUBE_TIME_SCALE: '0.05',
      SANDBOX_TRAFFIC: 'random',
      SANDBOX_TRAFFIC_SEED: 'e2e-verification',
      // A thin window must not pass quietly here: every success below is a proven one.
      VERIFY_INCONCLUSIVE: 'extend-then-hold',
      TAILSPIN_CATALOG: JSON.stringify(catalog),
    },
    sandboxSlots,
  );
  const handle = <T>(name: string) => host.sandbox.find((s) => s.name === name)?.handle as T;
  github = handle<GitHubFake>('github');
  monitor = handle<MonitorFake>('log-analytics');
  expect(monitor.state().traffic.mode).toBe('random');
  for (const role of [SERVER, CLIENT]) monitor.setProfile(role, HEALTHY, new Date(Date.now() - HOUR));
}, 120_000);
afterAll(async () => host?.stop());

let seq = 0;
async function push(repository: string, n: number): Promise<string> {
  const event = {
    id: `e2e-verify-${n}-${++seq}`,
    eventType: 'Microsoft.ContainerRegistry.ImagePushed',
    eventTime: new Date().toISOString(),
    data: { target: { digest: digest(n), repository, tag: `v${n}` }, request: { host: 'tailspinacr.azurecr.io' } },
  };
  const body = (await (await postEvents(host, [event])).json()) as { results: { outcome: string; releaseId?: string }[] };
  const id = body.results[0]?.releaseId;
  if (!id) throw new Error(`expected a release, got ${JSON.stringify(body)}`);
  return id;
}

const view = async (id: string) => (await (await api(host, `/deployments/${id}`)).json()) as ReleaseView;
const settle = (id: string) =>
  eventually(
    async () => {
      const v = await view(id);
      return isEnded(v.phase) ? v : undefined;
    },
    `release ${id} to end`,
    60_000,
    200,
  );
const reasonOf = (v: ReleaseView, phase: string) => v.timeline?.find((e) => e.to === phase)?.reason;
/** The one issue about digest n (opened right after the release ended). */
async function issueFor(n: number) {
  const found = await eventually(
    () => {
      const list = github.state.issues.filter((i) => (i.body ?? '').includes(digest(n)));
      return Promise.resolve(list.length > 0 ? list : undefined);
    },
    `the issue about ${digest(n)}`,
    20_000,
    50,
  );
  expect(found).toHaveLength(1);
  return found[0]!;
}

const badFromDeploy = (id: string, profile: TrafficProfile): Promise<void> => badFromDeployOf(host, monitor, SERVER, id, profile);

/** The app's whole recent history healthy again (earlier bad releases' traffic forgotten). */
const healthyAgain = () => monitor.setProfile(SERVER, HEALTHY, new Date(Date.now() - HOUR), { replaceLater: true });

describe('verification with random traffic through the local host', { timeout: 600_000 }, () => {
  it('20 healthy releases in a row all succeed, each proven healthy', async () => {
    const outcomes: string[] = [];
    for (let n = 1; n <= 20; n++) {
      const v = await settle(await push(SERVER, n));
      outcomes.push(`${n}: ${v.phase}: ${reasonOf(v, v.phase) ?? ''}`);
      expect(v.phase, outcomes.join('\n')).toBe('succeeded');
      expect(reasonOf(v, 'succeeded')).toMatch(
        /^healthy after \d+ samples? \(\d+ requests\): error rate .* does not exceed 1 %; P95 is below 2 s: /,
      );
      expect(v.verification).toMatchObject({ outcome: 'healthy', app: SERVER, role: SERVER, regressions: [] });
    }
  });

  it('a 5 % error release is rolled back; the issue carries the per-sample table and the verdict', async () => {
    try {
      const id = await push(SERVER, 101);
      await badFromDeploy(id, { ...HEALTHY, errorRate: 0.05 });
      const v = await settle(id);
      expect(v.phase).toBe('rolled_back');
      const verdict = reasonOf(v, 'rolling_back') ?? '';
      expect(verdict).toMatch(/^error rate [\d.]+ % \(95 % CI [\d.]+–[\d.]+ %\) is above 1 %: rolled back after \d+ samples?$/);
      // The release record: per sample requests, failures, slow, the statistic and the side it is on.
      expect(v.verification).toMatchObject({ outcome: 'breach', metrics: expect.arrayContaining(['errors']), blame: 'release', verdict });
      const last = v.verification?.evidence.at(-1);
      expect(last).toMatchObject({ requests: expect.any(Number), failures: expect.any(Number), slow: expect.any(Number) });
      expect(last?.errors).toMatchObject({ side: 'breach', llr: expect.any(Number) });
      expect(last?.errors.llr).toBeGreaterThanOrEqual(v.verification?.rule.errors.upper ?? Infinity);
      const body = (await issueFor(101)).body ?? '';
      expect(body).toContain(`**Verdict:** ${verdict}`);
      expect(body).toContain('| sample | at | requests (new) | failures (new) | slow (new) | error rate (95 % CI) | ln LR errors |');
      expect(body).toMatch(/\n\| 1 \| [\d.]+ s \| \d+ \(\+\d+\) \| \d+ \(\+\d+\) \| \d+ \(\+\d+\) \| /);
      expect(body).toContain('▲ breach');
    } finally {
      healthyAgain();
    }
  });

  it('a P95 3 s release is rolled back, with its evidence in the issue', async () => {
    try {
      const id = await push(SERVER, 102);
      await badFromDeploy(id, { ...HEALTHY, p95Ms: 3000 });
      const v = await settle(id);
      expect(v.phase).toBe('rolled_back');
      const verdict = reasonOf(v, 'rolling_back') ?? '';
      expect(verdict).toMatch(
        /^P95 is above 2 s: [\d.]+ % of requests slower than 2 s \(95 % CI .*\), more than 5 %: rolled back after \d+ samples?$/,
      );
      expect(v.verification?.evidence.at(-1)?.latency).toMatchObject({ side: 'breach' });
      const body = (await issueFor(102)).body ?? '';
      expect(body).toContain(`**Verdict:** ${verdict}`);
      expect(body).toMatch(/\| slower than 2000 ms \| [\d.]+% \| 5\.00% \|/);
    } finally {
      healthyAgain();
    }
  });

  it('an app whose telemetry never arrives (wrong role name) ends unverified, and the alert says so', async () => {
    const v = await settle(await push(CLIENT, 103));
    expect(v.phase).toBe('unverified');
    expect(reasonOf(v, 'unverified')).toBe(
      `no requests from Application Insights role "${WRONG_ROLE}" in the window nor before the deploy: ${CLIENT} is not instrumented, or its role name (AppRoleName) is not "${WRONG_ROLE}"`,
    );
    expect(v.verification).toMatchObject({ outcome: 'inconclusive', reason: 'no-traffic', noTraffic: true, role: WRONG_ROLE });
    const issue = await issueFor(103);
    expect(issue.title).toMatch(/^No telemetry: tailspin-client in dev/);
    expect(issue.labels).toContain('no-telemetry');
    expect(issue.body).toContain(`Not one request from Application Insights role "${WRONG_ROLE}" reached the workspace`);
  });

  it('an app already failing before the deploy is not rolled back to a version that fails the same way', async () => {
    const before = (await host.services.pipeline.cluster.observe({ namespace: 'tail-spin', deployment: SERVER, container: SERVER })).ok;
    expect(before).toBe(true);
    monitor.setProfile(SERVER, { ...HEALTHY, errorRate: 0.05 }, new Date(Date.now() - HOUR), { replaceLater: true });
    try {
      const v = await settle(await push(SERVER, 104));
      expect(v.phase).toBe('unverified');
      expect(reasonOf(v, 'unverified')).toMatch(
        /^error rate [\d.]+ % .* is above 1 %, but the version before the deploy was failing the same way \(baseline [\d.]+ %, 95 % CI .*\): not the release's fault \(after \d+ samples?\); the release keeps running unverified \(VERIFY_BASELINE_BREACH=keep\)$/,
      );
      expect(v.timeline?.map((e) => e.to)).not.toContain('rolling_back');
      expect(v.verification).toMatchObject({ outcome: 'breach', blame: 'baseline' });
      const running = await host.services.pipeline.cluster.observe({ namespace: 'tail-spin', deployment: SERVER, container: SERVER });
      expect(running.ok && running.value.image).toBe(`tailspinacr.azurecr.io/${SERVER}@${digest(104)}`);
      const issue = await issueFor(104);
      expect(issue.title).toMatch(/^Failing before this release: tailspin-server in dev/);
      expect(issue.labels).toContain('baseline-failing');
      expect(issue.body).toContain('— blame: baseline.');
    } finally {
      healthyAgain();
    }
  });
});
