/**
 * Issue 14 items 2 and 4 for manifest releases, through the local host and its sandbox:
 * - every container and init container image a manifest names is resolved to a digest in
 *   ACR_LOGIN_SERVER and goes through the scan gate before apply (the ACR fake's _sandbox/report knob
 *   makes a repository vulnerable); it is applied pinned by digest; one that cannot be scanned blocks;
 * - GitHub failing transiently no longer blocks a manifest release, nor fails its rollback.
 */
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHost } from '../../src/local/host.js';
import { sandboxSlots } from '../../src/sandbox/index.js';
import type { AcrFake } from '../../src/sandbox/acr/fake.js';
import type { GitHubFake } from '../../src/sandbox/github/server.js';
import type { FakeKubernetes } from '../../src/sandbox/kubernetes/server.js';
import type { MonitorFake } from '../../src/sandbox/monitor/fake.js';
import { HEALTHY } from '../../src/sandbox/monitor/slot.js';
import { startTestHost } from '../helpers/host.js';
import { digest, manifestFiles, pushManifests, settle, until, view } from '../helpers/releases.js';

let host: LocalHost;
let acr: AcrFake;
let github: GitHubFake;
let kube: FakeKubernetes;
let monitor: MonitorFake;

beforeAll(async () => {
  host = await startTestHost(
    {
      ROLLOUT_POLL_SECONDS: '1',
      ROLLOUT_DEADLINE_SECONDS: '30',
      VERIFY_WINDOW_SECONDS: '3',
      VERIFY_INTERVAL_SECONDS: '1',
      VERIFY_MIN_REQUESTS: '5',
      SCAN_POLL_SECONDS: '1',
      SANDBOX_KUBE_TIME_SCALE: '0.1',
    },
    sandboxSlots,
  );
  const handle = <T>(name: string) => host.sandbox.find((s) => s.name === name)?.handle as T;
  [acr, github, kube, monitor] = [
    handle<AcrFake>('acr'),
    handle<GitHubFake>('github'),
    handle<FakeKubernetes>('kubernetes'),
    handle('log-analytics'),
  ];
  acr.tag('log-shipper', '1.0', digest(9));
  acr.tag('prepare', '1.0', digest(10));
  acr.tag('prepare', '1.1', digest(11));
}, 120_000);
afterAll(async () => host?.stop());

/** What a person does against a sandbox fake: an HTTPS call with its CA. */
function call(base: { url: string; ca: string }, method: string, path: string, body?: unknown, token?: string) {
  return new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
    const req = request(`${base.url}${path}`, { method, ca: base.ca, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as unknown) : undefined }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
const report = async (repository: string, verdict: 'vulnerable' | 'clean') =>
  expect((await call(acr, 'POST', '/_sandbox/report', { repository, report: verdict })).status).toBe(200);
const deploymentIn = async (name: string) =>
  (await call(kube, 'GET', `/apis/apps/v1/namespaces/tail-spin/deployments/${name}`, undefined, kube.token)).body as {
    spec?: { template: { spec: { initContainers?: { image: string }[]; containers: { image: string }[] } } };
  };

const sc = '{allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}';
/** A restricted-compliant Deployment with an init container and one container. */
const shipper = (init: string, main: string) =>
  `{apiVersion: apps/v1, kind: Deployment, metadata: {name: log-shipper}, spec: {selector: {matchLabels: {app: log-shipper}}, template: {metadata: {labels: {app: log-shipper}}, spec: {securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}, initContainers: [{name: prepare, image: "${init}", securityContext: ${sc}}], containers: [{name: ship, image: "${main}", securityContext: ${sc}}]}}}}`;
const REG = 'tailspinacr.azurecr.io';
const withShipper = (init: string, main: string) => manifestFiles(undefined, { 'k8s/apps/log-shipper.yaml': shipper(init, main) });
const INIT_FIELD = 'k8s/apps/log-shipper.yaml#1 Deployment/log-shipper at spec.template.spec.initContainers[0].image';

describe('every image a manifest release applies passes the gate', { timeout: 240_000 }, () => {
  it('an init container image with CRITICAL findings blocks the release, naming document and field; nothing is applied', async () => {
    await report('prepare', 'vulnerable');
    const v = await settle(host, await pushManifests(host, github, withShipper(`${REG}/prepare:1.0`, `${REG}/log-shipper:1.0`)));
    expect(v.phase).toBe('blocked');
    expect(v.timeline.map((e) => e.to)).toEqual(['queued', 'scanning', 'blocked']);
    expect(v.timeline.at(-1)?.reason).toMatch(
      new RegExp(`^scan gate: ${INIT_FIELD.replace(/[.[\]#/]/g, '\\$&')}: ${REG}/prepare@${digest(10)}: blocked: .*CRITICAL`),
    );
    expect(v.outcome.manifest?.images).toEqual(
      expect.arrayContaining([expect.objectContaining({ image: `${REG}/prepare@${digest(10)}`, verdict: 'blocked' })]),
    );
    expect((await deploymentIn('log-shipper')).spec).toBeUndefined();
  });

  it('with the fixed image (a new digest: the blocked one stays blocked, cache included): applied, every image pinned by digest', async () => {
    await report('prepare', 'clean');
    const again = await settle(host, await pushManifests(host, github, withShipper(`${REG}/prepare:1.0`, `${REG}/log-shipper:1.0`)));
    expect(again.timeline.at(-1)?.reason).toMatch(/^scan gate: .*blocked/);
    expect(again.outcome.manifest?.images).toEqual(expect.arrayContaining([expect.objectContaining({ verdict: 'blocked', cached: true })]));
    const v = await settle(host, await pushManifests(host, github, withShipper(`${REG}/prepare:1.1`, `${REG}/log-shipper:1.0`)));
    expect(v.phase).toBe('succeeded');
    expect(v.timeline.find((e) => e.to === 'deploying')?.reason).toMatch(/^scan gate: \d+ images pass/);
    const spec = (await deploymentIn('log-shipper')).spec?.template.spec;
    expect(spec?.initContainers?.[0]?.image).toBe(`${REG}/prepare@${digest(11)}`);
    expect(spec?.containers[0]?.image).toBe(`${REG}/log-shipper@${digest(9)}`);
    // The apps, which had no verified digest yet, run their declared images resolved in the registry.
    expect((await deploymentIn('tailspin-server')).spec?.template.spec.containers[0]?.image).toBe(
      `${REG}/tailspin-server@${acr.digestOf('tailspin-server', 'latest') ?? '?'}`,
    );
  });

  it('an image the registry does not have cannot be scanned: blocked, naming the field', async () => {
    const v = await settle(host, await pushManifests(host, github, withShipper(`${REG}/ghost:1.0`, `${REG}/log-shipper:1.0`)));
    expect(v.phase).toBe('blocked');
    expect(v.timeline.at(-1)?.reason).toContain(
      `${INIT_FIELD}: image ${REG}/ghost:1.0 cannot be resolved to a digest in ${REG} (not scannable):`,
    );
    expect(v.timeline.at(-1)?.reason).toContain('(not-found: final, not retried)');
  });

  it('an image from another registry is refused before anything else, naming the field', async () => {
    const v = await settle(
      host,
      await pushManifests(host, github, withShipper('docker.io/library/busybox:1.36', `${REG}/log-shipper:1.0`)),
    );
    expect(v.phase).toBe('blocked');
    expect(v.timeline.at(-1)?.reason).toContain(
      'k8s/apps/log-shipper.yaml#1 Deployment/log-shipper: image-registry at spec.template.spec.initContainers[0].image',
    );
  });
});

describe('GitHub failing transiently does not block a manifest release or fail its rollback', { timeout: 240_000 }, () => {
  const files = () => withShipper(`${REG}/prepare:1.1`, `${REG}/log-shipper:1.0`);

  it('five 502s, then a k8s/apps push: not blocked after a second; read again with backoff and released', async () => {
    expect((await call(github, 'POST', '/_sandbox/knobs', { failNext: 5, failStatus: 502 })).status).toBe(200);
    const id = await pushManifests(host, github, files());
    const started = Date.now();
    const waiting = await until(host, id, 'waiting on GitHub', (v) => v.waitingFor?.on === 'source');
    expect(waiting.waitingFor?.for).toMatch(/^github: reading k8s\/apps\/ at [0-9a-f]{7} \(.*\)$/);
    await until(host, id, 'a second to pass', () => Date.now() - started >= 1000, 5000);
    expect((await view(host, id)).phase).not.toBe('blocked');
    const v = await settle(host, id);
    expect(v.phase).toBe('succeeded');
    expect(v.timeline.map((e) => e.to)).not.toContain('blocked');
  });

  it('a breach while verifying, with ten 503s from GitHub: rolled back to the last verified manifests, not failed', async () => {
    try {
      const id = await pushManifests(
        host,
        github,
        manifestFiles((f, t) => (f === 'tailspin-server.yaml' ? t.replace(/replicas: 2/, 'replicas: 3') : t), {
          'k8s/apps/log-shipper.yaml': shipper(`${REG}/prepare:1.1`, `${REG}/log-shipper:1.0`),
        }),
      );
      await until(host, id, 'verifying', (v) => v.phase === 'verifying');
      // Failing from the deploy on, not before it: a baseline that fails the same way is not the release's fault (#12).
      monitor.setProfile('tailspin-server', { rps: 20, errorRate: 0.3, p95Ms: 150 });
      expect((await call(github, 'POST', '/_sandbox/knobs', { failNext: 10, failStatus: 503 })).status).toBe(200);
      const v = await settle(host, id);
      expect(v.phase).toBe('rolled_back');
      expect(v.timeline.at(-1)?.reason).toMatch(/^rolled back to the manifests at [0-9a-f]{40} because .*error rate .* is above 1 %/);
      expect((await deploymentIn('tailspin-server')).spec).toMatchObject({ replicas: 2 });
    } finally {
      monitor.setProfile('tailspin-server', HEALTHY);
    }
  });
});
