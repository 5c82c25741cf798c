/**
 * The Kubernetes API fake as a sandbox service for `npm start`, unless KUBECONFIG or AKS_RESOURCE_ID
 * points at a real cluster. It is seeded from the repository's k8s/ manifests (rolled out and
 * available), and the adapter reaches it through an ordinary kubeconfig file written to a temp dir.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { SandboxSlot } from '../slot.js';
import { startFakeKubernetes } from './server.js';

export const SANDBOX_KUBE_TOKEN = 'sandbox-kube-token';

export function sandboxKubeconfig(server: string, ca: string, token: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'tailspin-sandbox', cluster: { server, 'certificate-authority-data': Buffer.from(ca).toString('base64') } }],
    users: [{ name: 'tailspin-sandbox', user: { token } }],
    contexts: [{ name: 'tailspin-sandbox', context: { cluster: 'tailspin-sandbox', user: 'tailspin-sandbox', namespace: 'tail-spin' } }],
    'current-context': 'tailspin-sandbox',
  });
}

export const kubernetesSlot: SandboxSlot = {
  name: 'kubernetes',
  realConfigured: (env) => Boolean(env.KUBECONFIG?.trim() || env.AKS_RESOURCE_ID?.trim()),
  async start({ root, env }) {
    // Tests (and impatient demos) speed the simulated cluster up: 0.1 makes minReadySeconds 5 take 0.5 s.
    const scale = Number(env.SANDBOX_KUBE_TIME_SCALE ?? '1');
    const timeScale = Number.isFinite(scale) && scale > 0 ? scale : 1;
    const fake = await startFakeKubernetes({ token: SANDBOX_KUBE_TOKEN, timeScale, podReadyDelayMs: Math.round(1000 * timeScale) });
    const k8s = join(root, 'k8s');
    const seeded = existsSync(k8s) ? await fake.seedFromManifests(k8s) : [];
    const dir = await mkdtemp(join(tmpdir(), 'tailspin-kube-'));
    const kubeconfigPath = join(dir, 'kubeconfig');
    await writeFile(kubeconfigPath, sandboxKubeconfig(fake.url, fake.ca, fake.token), { mode: 0o600 });
    return {
      name: 'kubernetes',
      describe: [
        `Kubernetes API fake (Deployment/ReplicaSet rollout simulation): ${fake.url}, kubeconfig ${kubeconfigPath}`,
        `seeded from k8s/: ${seeded.length} objects; what runs: ${fake.url}/_sandbox; who changed which Deployment: ${fake.url}/_sandbox/writes`,
        `knobs: POST ${fake.url}/_sandbox/knobs {"imageBehaviour":{"match":"sha256:…","behaviour":"ready|unready|crash|imagepull|unschedulable"}}`,
        `       | {"service":{"namespace":"tail-spin","name":"tailspin-server","status":500,"delayMs":3000}} | {"replicaFailure":{"namespace":"tail-spin","deployment":"tailspin-server","message":"quota"}}`,
        `pod template label tailspin.dev/sim=unready|crash behaves as on the real test control plane`,
      ],
      settings: { KUBECONFIG: kubeconfigPath },
      handle: fake,
      stop: async () => {
        await fake.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
};
