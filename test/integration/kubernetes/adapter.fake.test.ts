/**
 * Adapter behaviour the real control plane cannot show (service proxy to live pods, image pull
 * failures, unschedulable pods, ReplicaFailure, auth and connection failures), against the fake.
 */
import { createServer } from 'node:http';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubernetesCluster } from '../../../src/services/adapters/kubernetes/index.js';
import { silentLogger } from '../../../src/services/logger.js';
import type { RolloutObservation } from '../../../src/services/ports.js';
import { repoRoot } from '../../helpers/fixtures.js';
import { deploymentManifest, IMAGE_A, poll } from '../../contract/cluster-contract.js';
import { fakeTarget, kubeConfigFor } from '../../contract/fake-target.js';
import { AppsV1Api } from '@kubernetes/client-node';
import { join } from 'node:path';

const timing = { pollMs: 25, deadlineMs: 8_000 };
let t: Awaited<ReturnType<typeof fakeTarget>>;
const server = { namespace: 'tail-spin', deployment: 'tailspin-server', container: 'tailspin-server' };

beforeAll(async () => {
  t = await fakeTarget();
  await t.fake.seedFromManifests(join(repoRoot, 'k8s'));
});
afterAll(() => t.cleanup());

const observe = async (name: string) => {
  const r = await t.cluster.observe({ namespace: t.namespace, deployment: name, container: 'app' });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
};
const create = (name: string, image: string, replicas = 1) =>
  t.kube
    .makeApiClient(AppsV1Api)
    .createNamespacedDeployment({ namespace: t.namespace, body: deploymentManifest(name, { image, replicas }) });

describe('seeded k8s/ manifests', () => {
  it('start rolled out and available', async () => {
    const r = await t.cluster.observe(server);
    expect(r.ok && r.value).toMatchObject({
      replicas: 2,
      availableReplicas: 2,
      revision: '1',
      image: 'tailspinacr.azurecr.io/tailspin-server:latest',
    });
  });
});

describe('smoke checks', () => {
  const check = { kind: 'service-proxy' as const, service: 'tailspin-server', port: 5100, path: '/api/games', expectStatus: 200 };

  it('pass through the service proxy and fail on the wrong status', async () => {
    expect(await t.cluster.smoke('tail-spin', check)).toMatchObject({ ok: true, value: { ok: true, status: 200 } });
    t.fake.proxy.set('tail-spin', 'tailspin-server', { status: 500 });
    expect(await t.cluster.smoke('tail-spin', check)).toMatchObject({ ok: true, value: { ok: false, status: 500 } });
    t.fake.proxy.set('tail-spin', 'tailspin-server', undefined);
    expect(t.fake.proxy.requests).toContain('tail-spin/tailspin-server:5100 GET /api/games');
  });

  it('report a slow app as a failed check, and a missing service as 404', async () => {
    const quick = createKubernetesCluster({ kubeConfig: t.kube, logger: silentLogger, smokeTimeoutMs: 100 });
    t.fake.proxy.set('tail-spin', 'tailspin-client', { delayMs: 400 });
    const slow = await quick.smoke('tail-spin', {
      kind: 'service-proxy',
      service: 'tailspin-client',
      port: 80,
      path: '/',
      expectStatus: 200,
    });
    expect(slow).toMatchObject({ ok: true, value: { ok: false, detail: 'no answer within 100 ms' } });
    t.fake.proxy.set('tail-spin', 'tailspin-client', undefined);
    expect(await t.cluster.smoke('tail-spin', { ...check, service: 'nope' })).toMatchObject({
      ok: true,
      value: { ok: false, status: 404 },
    });
  });

  it('GET a URL once', async () => {
    const http = createServer((req, res) => {
      res.statusCode = req.url === '/' ? 200 : 503;
      res.end('x');
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    expect(await t.cluster.smoke('x', { kind: 'url', url: `${base}/`, expectStatus: 200 })).toMatchObject({
      ok: true,
      value: { ok: true, status: 200 },
    });
    expect(await t.cluster.smoke('x', { kind: 'url', url: `${base}/down`, expectStatus: 200 })).toMatchObject({
      ok: true,
      value: { ok: false, status: 503 },
    });
    await new Promise((r) => http.close(r));
    expect(await t.cluster.smoke('x', { kind: 'url', url: `${base}/`, expectStatus: 200 })).toMatchObject({
      ok: true,
      value: { ok: false, detail: 'unreachable' },
    });
  });
});

describe('pod problems and failures', () => {
  const problem = (o: RolloutObservation) => o.podProblems[0]?.reason;

  it('image pull failures and unschedulable pods', async () => {
    t.fake.setImageBehaviour('sha256:badbad', 'imagepull');
    t.fake.setImageBehaviour('sha256:huge', 'unschedulable');
    await create('pull', 'example.invalid/app@sha256:badbad');
    await create('huge', 'example.invalid/app@sha256:huge');
    const pull = await poll(
      'backoff',
      () => observe('pull'),
      (o) => problem(o) === 'ImagePullBackOff',
      timing,
    );
    expect(pull.podProblems[0]).toMatchObject({ container: 'app', message: 'Back-off pulling image "example.invalid/app@sha256:badbad"' });
    const huge = await poll(
      'unschedulable',
      () => observe('huge'),
      (o) => problem(o) === 'Unschedulable',
      timing,
    );
    expect(huge.podProblems[0]?.message).toMatch(/^0\/1 nodes are available/);
    const events = await t.cluster.events({ namespace: t.namespace, deployment: 'pull', container: 'app' });
    expect(
      events.ok && events.value.some((e) => e.reason === 'Failed' && e.type === 'Warning' && e.involvedObject.startsWith('Pod/pull-')),
    ).toBe(true);
  });

  it('ReplicaFailure when pods cannot be created', async () => {
    t.fake.setReplicaFailure(t.namespace, 'quota', 'pods "quota-x" is forbidden: exceeded quota');
    await create('quota', IMAGE_A);
    const o = await poll(
      'replica failure',
      () => observe('quota'),
      (x) => x.conditions.some((c) => c.type === 'ReplicaFailure'),
      timing,
    );
    expect(o.conditions.find((c) => c.type === 'ReplicaFailure')).toMatchObject({ status: 'True', reason: 'FailedCreate' });
  });

  it('maps a refused token to auth and an unreachable server to transient', async () => {
    const wrong = createKubernetesCluster({ kubeConfig: kubeConfigFor({ ...t.fake, token: 'wrong' }), logger: silentLogger });
    expect(await wrong.observe(server)).toMatchObject({ ok: false, error: { kind: 'auth', status: 401 } });
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const gone = createKubernetesCluster({
      kubeConfig: kubeConfigFor({ ...t.fake, url: `https://127.0.0.1:${port}` }),
      logger: silentLogger,
    });
    expect(await gone.ping()).toMatchObject({ ok: false, error: { kind: 'transient' } });
  });

  it('answers unknown routes 404 with a Status, records them, and takes knobs over HTTP', async () => {
    const unknown = await raw('GET', '/apis/example.com/v1/widgets');
    expect(unknown).toMatchObject({ status: 404, body: { kind: 'Status', reason: 'NotFound', code: 404 } });
    expect(t.fake.unexpected.map((c) => c.path)).toEqual(['/apis/example.com/v1/widgets']);
    t.fake.unexpected.length = 0;
    expect(
      (await raw('POST', '/_sandbox/knobs', { service: { namespace: 'tail-spin', name: 'tailspin-server', status: 502 } })).status,
    ).toBe(200);
    const check = { kind: 'service-proxy' as const, service: 'tailspin-server', port: 5100, path: '/api/games', expectStatus: 200 };
    expect(await t.cluster.smoke('tail-spin', check)).toMatchObject({ ok: true, value: { ok: false, status: 502 } });
    await raw('POST', '/_sandbox/knobs', { service: { namespace: 'tail-spin', name: 'tailspin-server' } });
    const view = (await raw('GET', '/_sandbox')).body as { deployments: { name: string }[] };
    expect(view.deployments.map((d) => d.name)).toContain('tailspin-server');
  });
});

function raw(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${t.fake.url}${path}`,
      { method, ca: t.fake.ca, headers: { authorization: `Bearer ${t.fake.token}`, 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
