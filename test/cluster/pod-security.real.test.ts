/**
 * Our pod-security checker against the real thing: a namespace labelled like k8s/bootstrap's (and a
 * "baseline" twin), where the API server's PodSecurity admission judges every pod spec of
 * pod-security-cases.ts. Each pod our checker refuses is refused by the server with 403 for the same
 * rules; each pod it admits is admitted. Then k8s/apps is applied through the deployer's own adapter
 * into the restricted namespace and rolls out, and a hostile Deployment shows why we check before
 * apply: the server accepts the Deployment and only its pods are refused.
 * Runs with `npm run test:cluster` ($KUBECONFIG, or the local control plane from scripts/kube-testbin.sh).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ApiException, AppsV1Api, CoreV1Api, KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubernetesCluster } from '../../src/services/adapters/kubernetes/index.js';
import { TAILSPIN_MANIFEST_POLICY } from '../../src/services/domain/catalog.js';
import { parseManifests } from '../../src/services/domain/manifests.js';
import { checkManifestObject } from '../../src/services/domain/pod-security.js';
import { silentLogger } from '../../src/services/logger.js';
import { repoRoot } from '../helpers/fixtures.js';
import { basePod, POD_SECURITY_CASES, type Pod } from './pod-security-cases.js';

/** Our rule ids → the ForbiddenReason each upstream check reports (policy/check_*.go). */
const UPSTREAM_REASON: Record<string, string> = {
  hostNamespaces: 'host namespaces',
  privileged: 'privileged',
  capabilities_baseline: 'non-default capabilities',
  hostPathVolumes: 'hostPath volumes',
  hostPorts: 'hostPort',
  appArmorProfile: 'forbidden AppArmor profile',
  seLinuxOptions: 'seLinuxOptions',
  procMount: 'procMount',
  seccompProfile_baseline: 'seccompProfile',
  seccompProfile_restricted: 'seccompProfile',
  sysctls: 'forbidden sysctls',
  windowsHostProcess: 'hostProcess',
  hostProbesAndHostLifecycle: 'probe or lifecycle host',
  restrictedVolumes: 'restricted volume types',
  allowPrivilegeEscalation: 'allowPrivilegeEscalation != false',
  runAsNonRoot: 'runAsNonRoot != true',
  runAsUser: 'runAsUser=0',
  capabilities_restricted: 'unrestricted capabilities',
};

/** `violates PodSecurity "restricted:v1.34": a (x, y), b (z)` → ["a", "b"] (details hold commas inside parentheses). */
function upstreamReasons(message: string): string[] {
  const list = message.slice(message.indexOf('": ') + 3);
  const reasons: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of list) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      reasons.push(current);
      current = '';
    } else current += ch;
  }
  reasons.push(current);
  return reasons.map((r) =>
    r
      .trim()
      .replace(/ \(.*$/s, '')
      .replace(/^forbidden AppArmor profiles$/, 'forbidden AppArmor profile'),
  );
}

let kube: KubeConfig;
let core: CoreV1Api;
let apps: AppsV1Api;
let stopPlane = async () => {};
const suffix = randomBytes(3).toString('hex');
const namespaces = { restricted: `tailspin-pss-r-${suffix}`, baseline: `tailspin-pss-b-${suffix}` };

/** The labels of k8s/bootstrap/namespace.yaml, at the given level. */
function ourLabels(level: 'restricted' | 'baseline'): Record<string, string> {
  const ns = parse(readFileSync(join(repoRoot, 'k8s', 'bootstrap', 'namespace.yaml'), 'utf8')) as {
    metadata: { labels: Record<string, string> };
  };
  return Object.fromEntries(Object.entries(ns.metadata.labels).map(([k, v]) => [k, v === 'restricted' ? level : v]));
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, deadlineMs = 90_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

beforeAll(async () => {
  let kubeconfigPath = process.env.KUBECONFIG;
  if (!kubeconfigPath) {
    const { startControlPlane } = await import('./control-plane.js');
    const plane = await startControlPlane();
    kubeconfigPath = plane.kubeconfigPath;
    stopPlane = () => plane.stop();
  }
  kube = new KubeConfig();
  kube.loadFromFile(kubeconfigPath);
  core = kube.makeApiClient(CoreV1Api);
  apps = kube.makeApiClient(AppsV1Api);
  for (const [level, name] of Object.entries(namespaces) as ['restricted' | 'baseline', string][]) {
    await core.createNamespace({ body: { metadata: { name, labels: ourLabels(level) } } });
    await until(`ServiceAccount default in ${name}`, () => core.readNamespacedServiceAccount({ name: 'default', namespace: name }));
  }
}, 240_000);

afterAll(async () => {
  for (const name of Object.values(namespaces)) await core?.deleteNamespace({ name }).catch(() => undefined);
  await stopPlane();
});

/** What the API server says to creating this pod (dry run: nothing is persisted). */
async function admit(pod: Pod, namespace: string): Promise<{ admitted: true } | { admitted: false; code: number; message: string }> {
  try {
    await core.createNamespacedPod({ namespace, body: pod, dryRun: 'All' });
    return { admitted: true };
  } catch (e) {
    if (!(e instanceof ApiException)) throw e;
    const body = (typeof e.body === 'string' ? JSON.parse(e.body) : e.body) as { message?: string };
    return { admitted: false, code: e.code, message: body.message ?? String(e.body) };
  }
}

describe('PodSecurity admission and our checker agree', () => {
  for (const level of ['restricted', 'baseline'] as const) {
    it.each(POD_SECURITY_CASES)(`${level}: $name`, async (c) => {
      const pod = basePod(`case-${POD_SECURITY_CASES.indexOf(c)}`);
      c.edit(pod);
      const ours = checkManifestObject(pod, { policy: { ...TAILSPIN_MANIFEST_POLICY, podSecurity: level } }).map((f) => f.rule);
      const expected = [...new Set(ours.map((r) => UPSTREAM_REASON[r.replace(/^pod-security:/, '')]))].sort();
      const verdict = await admit(pod, namespaces[level]);
      if (ours.length === 0) {
        expect(verdict).toEqual({ admitted: true });
        return;
      }
      expect(verdict).toMatchObject({
        admitted: false,
        code: 403,
        message: expect.stringContaining(`violates PodSecurity "${level}:v1.34"`),
      });
      if (!verdict.admitted) expect(upstreamReasons(verdict.message).sort()).toEqual(expected);
    });
  }
});

describe('k8s/apps in a namespace labelled like ours', () => {
  it("applies through the deployer's adapter and rolls out: the server admits every pod", async () => {
    const files = readdirSync(join(repoRoot, 'k8s', 'apps')).map((f) => ({
      path: `k8s/apps/${f}`,
      content: readFileSync(join(repoRoot, 'k8s', 'apps', f), 'utf8'),
    }));
    const { objects, problems } = parseManifests(files, 'tail-spin', { registry: 'tailspinacr.azurecr.io' });
    expect(problems).toEqual([]);
    const cluster = createKubernetesCluster({ kubeConfig: kube, logger: silentLogger });
    const applied = await cluster.apply(objects.map((o) => ({ ...o, metadata: { ...o.metadata, namespace: namespaces.restricted } })));
    expect(applied.ok).toBe(true);
    for (const name of ['tailspin-server', 'tailspin-client']) {
      const d = await until(`${name} to roll out`, async () => {
        const dep = await apps.readNamespacedDeployment({ name, namespace: namespaces.restricted });
        const s = dep.status;
        return s?.updatedReplicas === dep.spec?.replicas && s?.availableReplicas === dep.spec?.replicas ? dep : undefined;
      });
      expect(d.status?.conditions?.find((x) => x.type === 'ReplicaFailure')).toBeUndefined();
    }
  });

  it('a hostile Deployment is accepted and only its pods are refused: why manifests are checked before apply', async () => {
    const pod = basePod();
    pod.metadata.labels = { app: 'hostile' };
    pod.spec.containers[0].securityContext.privileged = true;
    delete pod.spec.containers[0].securityContext.allowPrivilegeEscalation;
    const body: V1Deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'hostile' },
      spec: { replicas: 1, selector: { matchLabels: pod.metadata.labels }, template: { metadata: pod.metadata, spec: pod.spec } },
    };
    await apps.createNamespacedDeployment({ namespace: namespaces.restricted, body });
    const failure = await until('the ReplicaSet to report the refusal', async () => {
      const rs = await apps.listNamespacedReplicaSet({ namespace: namespaces.restricted, labelSelector: 'app=hostile' });
      return rs.items.flatMap((r) => r.status?.conditions ?? []).find((x) => x.type === 'ReplicaFailure');
    });
    expect(failure.message).toMatch(/violates PodSecurity "restricted:v1\.34": privileged/);
    expect(checkManifestObject(body as never, { policy: TAILSPIN_MANIFEST_POLICY }).map((f) => f.rule)).toContain(
      'pod-security:privileged',
    );
  });
});
