import { ApiException, type KubeConfig } from '@kubernetes/client-node';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { toAdapterError } from '../../../src/services/adapters/kubernetes/errors.js';
import { AKS_SCOPE, aksKubeConfig, tokenCache, withBearerToken } from '../../../src/services/adapters/kubernetes/kubeconfig.js';
import { podProblems } from '../../../src/services/adapters/kubernetes/observe.js';
import { setImagePatch, undoPatch } from '../../../src/services/adapters/kubernetes/rollout.js';
import { Pod, ReplicaSet } from '../../../src/services/adapters/kubernetes/schema.js';

const AKS_KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: aks
  cluster: { server: 'https://aks.example.invalid:443', certificate-authority-data: 'Y2E=' }
users:
- name: clusterUser_rg_aks
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubelogin
      args: [get-token, --login, devicecode, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630]
contexts:
- name: aks
  context: { cluster: aks, user: clusterUser_rg_aks }
current-context: aks
`;

function credential(tokens: AccessToken[]): TokenCredential & { scopes: string[] } {
  const scopes: string[] = [];
  return {
    scopes,
    getToken: (scope: string | string[]) => {
      scopes.push(String(scope));
      return Promise.resolve(tokens.shift() ?? null);
    },
  };
}

describe('AKS credentials', () => {
  it('replace the exec (kubelogin) user with a bearer token', () => {
    const kc = withBearerToken(AKS_KUBECONFIG, 'tok-1');
    expect(kc.getCurrentUser()).toEqual({ name: 'clusterUser_rg_aks', token: 'tok-1' });
    expect(kc.getCurrentCluster()?.server).toBe('https://aks.example.invalid:443');
  });

  it('cache the token until five minutes before expiry, sharing one fetch', async () => {
    let now = 1_000_000;
    const cred = credential([
      { token: 'a', expiresOnTimestamp: now + 10 * 60_000 },
      { token: 'b', expiresOnTimestamp: now + 60 * 60_000 },
    ]);
    const get = tokenCache(cred, AKS_SCOPE, () => now);
    expect(await Promise.all([get(), get()])).toEqual(['a', 'a']);
    now += 4 * 60_000;
    expect(await get()).toBe('a');
    now += 2 * 60_000;
    expect(await get()).toBe('b');
    expect(cred.scopes).toEqual([AKS_SCOPE, AKS_SCOPE]);
  });

  it('build the KubeConfig from listClusterUserCredentials once', async () => {
    const calls: string[] = [];
    const provider = aksKubeConfig({
      resourceId: '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks',
      credential: credential([{ token: 't', expiresOnTimestamp: Date.now() + 3_600_000 }]),
      client: {
        listClusterUserCredentials: (rg, name) => {
          calls.push(`${rg}/${name}`);
          return Promise.resolve({ kubeconfigs: [{ value: new TextEncoder().encode(AKS_KUBECONFIG) }] });
        },
      },
    });
    const kcs: KubeConfig[] = [await provider(), await provider()];
    expect(kcs.map((k) => k.getCurrentUser()?.token)).toEqual(['t', 't']);
    expect(calls).toEqual(['rg/aks']);
  });
});

describe('error mapping', () => {
  const api = (code: number, headers: Record<string, string> = {}) =>
    new ApiException(code, 'x', JSON.stringify({ kind: 'Status', message: 'm', reason: 'R' }), headers);
  it.each([
    [401, 'auth'],
    [403, 'auth'],
    [404, 'not-found'],
    [409, 'conflict'],
    [422, 'invalid'],
    [500, 'transient'],
    [503, 'transient'],
  ])('HTTP %i → %s', (code, kind) => {
    expect(toAdapterError(api(code), 'op')).toMatchObject({ kind, status: code, system: 'kubernetes', message: 'op: m' });
  });
  it('429 keeps Retry-After; network failures are transient', () => {
    expect(toAdapterError(api(429, { 'retry-after': '7' }), 'op')).toMatchObject({ kind: 'rate-limited', retryAfterMs: 7000 });
    expect(
      toAdapterError(new TypeError('fetch failed', { cause: Object.assign(new Error('c'), { code: 'ECONNREFUSED' }) }), 'op'),
    ).toMatchObject({ kind: 'transient' });
  });
});

describe('patches and pod problems', () => {
  const notes = { releaseId: 'r1', step: 'deploy' as const, sourceEvent: 'acr:evt', changeCause: 'deploy r1' };
  it('setImage touches only the container and Deployment metadata (no template annotations)', () => {
    expect(setImagePatch('app', 'img@sha256:1', notes)).toEqual({
      metadata: {
        annotations: {
          'tailspin.dev/release-id': 'r1',
          'tailspin.dev/source-event': 'acr:evt',
          'tailspin.dev/writer': 'r1/deploy',
          'kubernetes.io/change-cause': 'deploy r1',
          'tailspin.dev/commit': null,
        },
      },
      spec: { template: { spec: { containers: [{ name: 'app', image: 'img@sha256:1' }] } } },
    });
  });

  it('undo copies the template without pod-template-hash and keeps the Deployment revision', () => {
    const rs = ReplicaSet.parse({
      metadata: { name: 'w-abc', annotations: { 'deployment.kubernetes.io/revision': '1', 'tailspin.dev/release-id': 'old' } },
      spec: {
        template: { metadata: { labels: { app: 'w', 'pod-template-hash': 'abc' } }, spec: { containers: [{ name: 'app', image: 'a' }] } },
      },
    });
    const ops = undoPatch({ 'deployment.kubernetes.io/revision': '2', 'tailspin.dev/release-id': 'new' }, rs, notes) as {
      path: string;
      value: unknown;
    }[];
    expect(ops[0]).toMatchObject({ path: '/spec/template', value: { metadata: { labels: { app: 'w' } } } });
    expect(ops[1]!.value).toMatchObject({ 'deployment.kubernetes.io/revision': '2', 'tailspin.dev/release-id': 'r1' });
  });

  it('pod problems: back-offs, repeated terminations, unschedulable', () => {
    const pods = [
      {
        metadata: { name: 'a' },
        status: {
          containerStatuses: [{ name: 'c', restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off' } } }],
        },
      },
      {
        metadata: { name: 'b' },
        status: { containerStatuses: [{ name: 'c', restartCount: 5, state: { terminated: { reason: 'OOMKilled', exitCode: 137 } } }] },
      },
      {
        metadata: { name: 'c' },
        status: { containerStatuses: [{ name: 'c', restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] },
      },
      {
        metadata: { name: 'd' },
        status: { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes' }] },
      },
    ].map((p) => Pod.parse(p));
    expect(podProblems(pods)).toEqual([
      { pod: 'a', container: 'c', reason: 'CrashLoopBackOff', restartCount: 4, message: 'back-off' },
      { pod: 'b', container: 'c', reason: 'OOMKilled', restartCount: 5 },
      { pod: 'd', reason: 'Unschedulable', message: '0/3 nodes' },
    ]);
  });
});
