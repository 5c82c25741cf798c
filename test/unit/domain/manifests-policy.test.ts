/**
 * The hostile manifests of issue 14 (each ended `succeeded` before): refused by the manifest
 * validator the manifest step calls, each finding naming file#document, object, rule and field.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ManifestPolicy, TAILSPIN_MANIFEST_POLICY, defaultCatalog } from '../../../src/services/domain/catalog.js';
import { parseManifests } from '../../../src/services/domain/manifests.js';
import { POD_SECURITY_VERSION } from '../../../src/services/domain/pod-security.js';
import { repoRoot } from '../../helpers/fixtures.js';

const REGISTRY = 'tailspinacr.azurecr.io';
const apps = () =>
  readdirSync(join(repoRoot, 'k8s', 'apps')).map((f) => ({
    path: `k8s/apps/${f}`,
    content: readFileSync(join(repoRoot, 'k8s', 'apps', f), 'utf8'),
  }));
const reasons = (files: { path: string; content: string }[], registry: string | null = REGISTRY) =>
  parseManifests(files, 'tail-spin', { policy: TAILSPIN_MANIFEST_POLICY, ...(registry ? { registry } : {}) }).problems.map(
    (p) => `${p.path}#${p.document} ${p.object ?? ''}: ${p.reason}`,
  );

const BACKDOOR = `apiVersion: apps/v1
kind: Deployment
metadata: {name: backdoor}
spec:
  selector: {matchLabels: {app: backdoor}}
  template:
    metadata: {labels: {app: backdoor}}
    spec:
      hostNetwork: true
      hostPID: true
      containers:
        - name: shell
          image: docker.io/evil/backdoor
          securityContext: {privileged: true}
          volumeMounts: [{name: root, mountPath: /host}]
      volumes:
        - name: root
          hostPath: {path: /}
`;

describe('manifest validation with the pod-security, exposure and image rules', () => {
  it("passes the repository's own k8s/apps at the restricted level, images in the registry", () => {
    expect(reasons(apps())).toEqual([]);
  });

  it('refuses a privileged backdoor Deployment with every finding named', () => {
    const at = 'k8s/apps/backdoor.yaml#1 Deployment/backdoor: ';
    const c = 'spec.template.spec.containers[0]';
    expect(reasons([{ path: 'k8s/apps/backdoor.yaml', content: BACKDOOR }])).toEqual([
      `${at}pod-security:hostNamespaces at spec.template.spec.hostNetwork: must not share the host's namespace (hostNetwork=true)`,
      `${at}pod-security:hostNamespaces at spec.template.spec.hostPID: must not share the host's namespace (hostPID=true)`,
      `${at}pod-security:privileged at ${c}.securityContext.privileged: container "shell" must not set privileged=true`,
      `${at}pod-security:restrictedVolumes at spec.template.spec.volumes[0].hostPath: volume "root" uses restricted volume type hostPath (allowed: configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret)`,
      `${at}pod-security:allowPrivilegeEscalation at ${c}.securityContext.allowPrivilegeEscalation: container "shell" must set allowPrivilegeEscalation=false`,
      `${at}pod-security:runAsNonRoot at ${c}.securityContext.runAsNonRoot: the pod or container "shell" must set runAsNonRoot=true`,
      `${at}pod-security:seccompProfile_restricted at ${c}.securityContext.seccompProfile.type: the pod or container "shell" must set seccomp profile RuntimeDefault or Localhost`,
      `${at}pod-security:capabilities_restricted at ${c}.securityContext.capabilities.drop: container "shell" must drop ALL capabilities`,
      `${at}image-registry at ${c}.image: container "shell" image docker.io/evil/backdoor is from docker.io, not tailspinacr.azurecr.io`,
    ]);
  });

  it('refuses a miner sidecar in tailspin-client (a foreign image that otherwise meets restricted)', () => {
    const files = apps().map((f) =>
      f.path.endsWith('tailspin-client.yaml')
        ? {
            ...f,
            content: f.content.replace(
              '      containers:\n',
              '      containers:\n        - name: miner\n          image: docker.io/evil/miner\n          securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}\n',
            ),
          }
        : f,
    );
    expect(reasons(files)).toEqual([
      'k8s/apps/tailspin-client.yaml#3 Deployment/tailspin-client: image-registry at spec.template.spec.containers[0].image: container "miner" image docker.io/evil/miner is from docker.io, not tailspinacr.azurecr.io',
    ]);
    // Without a registry to hold images to, only the pod-security and exposure rules apply.
    expect(reasons(files, null)).toEqual([]);
  });

  it('refuses an ExternalName Service, a second LoadBalancer and an allow-all NetworkPolicy', () => {
    const content = [
      'apiVersion: v1\nkind: Service\nmetadata: {name: api-alias}\nspec: {type: ExternalName, externalName: kubernetes.default.svc.cluster.local}',
      'apiVersion: v1\nkind: Service\nmetadata: {name: tailspin-server-public}\nspec: {type: LoadBalancer, ports: [{port: 5100}]}',
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: allow-all}\nspec: {podSelector: {}, ingress: [{}]}',
    ].join('\n---\n');
    expect(reasons([{ path: 'k8s/apps/open.yaml', content }])).toEqual([
      "k8s/apps/open.yaml#1 Service/api-alias: exposure:service-type at spec.type: type ExternalName is not allowed for Service api-alias (allow it in the catalog's manifestPolicy.exposedServices)",
      "k8s/apps/open.yaml#2 Service/tailspin-server-public: exposure:service-type at spec.type: type LoadBalancer is not allowed for Service tailspin-server-public (allow it in the catalog's manifestPolicy.exposedServices)",
      "k8s/apps/open.yaml#3 NetworkPolicy/allow-all: exposure:network-policy-allows-all at spec.ingress[0]: allows all ingress (any source, any port); allow it in the catalog's manifestPolicy.openNetworkPolicies",
    ]);
  });

  it("the client's LoadBalancer passes because the catalog allows it; a catalog without the entry refuses it", () => {
    const strict = parseManifests(apps(), 'tail-spin', { policy: ManifestPolicy.parse({}) }).problems;
    expect(strict.map((p) => `${p.object}: ${p.rule} ${p.field}`)).toEqual(['Service/tailspin-client: exposure:service-type spec.type']);
    expect(defaultCatalog('o/r', 'main', ['dev']).manifestPolicy).toEqual(TAILSPIN_MANIFEST_POLICY);
  });

  it('baseline is a configurable, looser level', () => {
    const files = apps().map((f) => ({
      ...f,
      content: f.content.replaceAll('allowPrivilegeEscalation: false', 'allowPrivilegeEscalation: true'),
    }));
    expect(parseManifests(files, 'tail-spin', { policy: { ...TAILSPIN_MANIFEST_POLICY, podSecurity: 'baseline' } }).problems).toEqual([]);
    expect(parseManifests(files, 'tail-spin').problems.map((p) => p.rule)).toEqual([
      'pod-security:allowPrivilegeEscalation',
      'pod-security:allowPrivilegeEscalation',
    ]);
  });
});

describe('the namespace enforces the same level and version on the API server', () => {
  it('k8s/bootstrap/namespace.yaml: enforce, warn and audit restricted, pinned to our checks', () => {
    const ns = parse(readFileSync(join(repoRoot, 'k8s', 'bootstrap', 'namespace.yaml'), 'utf8')) as {
      metadata: { labels: Record<string, string> };
    };
    for (const mode of ['enforce', 'warn', 'audit']) {
      expect(ns.metadata.labels[`pod-security.kubernetes.io/${mode}`]).toBe(TAILSPIN_MANIFEST_POLICY.podSecurity);
      expect(ns.metadata.labels[`pod-security.kubernetes.io/${mode}-version`]).toBe(POD_SECURITY_VERSION);
    }
  });
});
