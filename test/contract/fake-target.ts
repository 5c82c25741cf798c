/** A ClusterTarget on the sandbox fake, with a fast clock so the contract runs in seconds. */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { createKubernetesCluster } from '../../src/services/adapters/kubernetes/index.js';
import { silentLogger } from '../../src/services/logger.js';
import { startFakeKubernetes, type FakeKubernetes, type FakeKubernetesOptions } from '../../src/sandbox/kubernetes/server.js';
import type { ClusterTarget } from './cluster-contract.js';

export function kubeConfigFor(fake: Pick<FakeKubernetes, 'url' | 'ca' | 'token'>): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'sandbox', server: fake.url, caData: Buffer.from(fake.ca).toString('base64'), skipTLSVerify: false }],
    users: [{ name: 'sandbox', token: fake.token }],
    contexts: [{ name: 'sandbox', cluster: 'sandbox', user: 'sandbox' }],
    currentContext: 'sandbox',
  });
  return kc;
}

export const FAST: FakeKubernetesOptions = { tickMs: 20, podReadyDelayMs: 40, crashIntervalMs: 200, timeScale: 0.05 };

export async function fakeTarget(opts: FakeKubernetesOptions = FAST): Promise<ClusterTarget & { fake: FakeKubernetes }> {
  const fake = await startFakeKubernetes(opts);
  const kube = kubeConfigFor(fake);
  const namespace = 'contract';
  await kube.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  return {
    fake,
    kube,
    namespace,
    cluster: createKubernetesCluster({ kubeConfig: kube, logger: silentLogger }),
    cleanup: () => fake.stop(),
  };
}
