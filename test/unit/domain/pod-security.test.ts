import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManifestPolicy, TAILSPIN_MANIFEST_POLICY } from '../../../src/services/domain/catalog.js';
import { checkManifestObject, type Finding } from '../../../src/services/domain/pod-security.js';
import { basePod, POD_SECURITY_CASES, type Pod } from '../../cluster/pod-security-cases.js';

const rules = (level: 'restricted' | 'baseline', registry?: string) => ({
  policy: { ...TAILSPIN_MANIFEST_POLICY, podSecurity: level },
  ...(registry ? { registry } : {}),
});
const ruleSet = (fs: Finding[]) => [...new Set(fs.map((f) => f.rule))].sort();
const casePod = (edit: (p: Pod) => void) => {
  const p = basePod();
  edit(p);
  return p;
};
const asDeployment = (p: Pod) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd' },
  spec: { selector: { matchLabels: p.metadata.labels }, template: { metadata: p.metadata, spec: p.spec } },
});

describe('pod security: the table the real API server is held to (test/cluster/pod-security.real.test.ts)', () => {
  it.each(POD_SECURITY_CASES)('$name', ({ edit, restricted, baseline }) => {
    const pod = casePod(edit);
    expect(ruleSet(checkManifestObject(pod, rules('restricted')))).toEqual([...restricted].sort());
    expect(ruleSet(checkManifestObject(pod, rules('baseline')))).toEqual([...baseline].sort());
    // The same template inside a Deployment: same rules, fields under spec.template.
    const inDeployment = checkManifestObject(asDeployment(pod), rules('restricted'));
    expect(ruleSet(inDeployment)).toEqual([...restricted].sort());
    for (const f of inDeployment) expect(f.field).toMatch(/^spec\.template\.(spec|metadata)\b/);
  });
});

describe('pod security: findings name the field', () => {
  const fields = (edit: (p: Pod) => void) => checkManifestObject(asDeployment(casePod(edit)), rules('restricted')).map((f) => f.field);

  it('privileged sidecar, hostPath, host namespaces', () => {
    expect(
      fields((p) => {
        p.spec.hostNetwork = true;
        p.spec.hostPID = true;
        p.spec.volumes.push({ name: 'root', hostPath: { path: '/' } });
        p.spec.containers.push({ ...structuredClone(p.spec.containers[0]), name: 'miner' });
        p.spec.containers[1].securityContext.privileged = true;
      }),
    ).toEqual([
      'spec.template.spec.hostNetwork',
      'spec.template.spec.hostPID',
      'spec.template.spec.containers[1].securityContext.privileged',
      // hostNetwork: the API server defaults each containerPort to a hostPort before admission.
      'spec.template.spec.containers[0].ports[0].containerPort',
      'spec.template.spec.containers[1].ports[0].containerPort',
      'spec.template.spec.volumes[1].hostPath',
    ]);
  });

  it('the messages say what to change', () => {
    const [f] = checkManifestObject(
      casePod((p) => (p.spec.containers[0].securityContext.allowPrivilegeEscalation = true)),
      rules('restricted'),
    );
    expect(f).toEqual({
      rule: 'pod-security:allowPrivilegeEscalation',
      field: 'spec.containers[0].securityContext.allowPrivilegeEscalation',
      message: 'container "tailspin-server" must set allowPrivilegeEscalation=false',
    });
  });

  it('CronJob, Job, StatefulSet and DaemonSet templates are checked too', () => {
    const pod = casePod((p) => (p.spec.containers[0].securityContext.privileged = true));
    const template = { metadata: pod.metadata, spec: pod.spec };
    for (const [kind, spec, at] of [
      ['StatefulSet', { template }, 'spec.template.spec'],
      ['DaemonSet', { template }, 'spec.template.spec'],
      ['Job', { template }, 'spec.template.spec'],
      ['CronJob', { schedule: '* * * * *', jobTemplate: { spec: { template } } }, 'spec.jobTemplate.spec.template.spec'],
    ] as const)
      expect(checkManifestObject({ kind, metadata: { name: 'x' }, spec }, rules('baseline'))).toEqual([
        expect.objectContaining({ rule: 'pod-security:privileged', field: `${at}.containers[0].securityContext.privileged` }),
      ]);
  });

  it('nothing an object can contain makes the checker throw', () => {
    const kinds = fc.constantFrom('Pod', 'Deployment', 'CronJob', 'Service', 'NetworkPolicy', 'ServiceAccount');
    fc.assert(
      fc.property(kinds, fc.jsonValue(), fc.jsonValue(), (kind, spec, template) => {
        const o = { kind, metadata: { name: 'x' }, spec: typeof spec === 'object' && spec ? { ...spec, template } : spec };
        expect(Array.isArray(checkManifestObject(o, rules('restricted', 'r.azurecr.io')))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('images come from the configured registry', () => {
  const images = (edit: (p: Pod) => void, registry = 'tailspinacr.azurecr.io') =>
    checkManifestObject(casePod(edit), rules('restricted', registry)).filter((f) => f.rule === 'image-registry');

  it('accepts our registry, by tag or digest, in any case', () => {
    expect(images(() => {})).toEqual([]);
    expect(images((p) => (p.spec.containers[0].image = `tailspinacr.azurecr.io/x@sha256:${'a'.repeat(64)}`))).toEqual([]);
    expect(images(() => {}, 'TailspinACR.azurecr.io')).toEqual([]);
  });

  it.each([
    ['docker.io/evil/backdoor:latest', /from docker\.io, not tailspinacr\.azurecr\.io/],
    ['evil/miner', /is not in tailspinacr\.azurecr\.io/],
    ['nginx', /is not in tailspinacr\.azurecr\.io/],
    ['tailspinacr.azurecr.io.evil.com/x:1', /from tailspinacr\.azurecr\.io\.evil\.com/],
    ['tailspinacr.azurecr.io:5000/x:1', /from tailspinacr\.azurecr\.io:5000/],
    ['', /names no image/],
  ])('refuses %j', (image, message) => {
    expect(images((p) => (p.spec.containers[0].image = image))).toEqual([
      { rule: 'image-registry', field: 'spec.containers[0].image', message: expect.stringMatching(message) },
    ]);
  });

  it('init and ephemeral containers too', () => {
    const found = images((p) => {
      p.spec.initContainers = [{ name: 'i', image: 'ghcr.io/x/y:1' }];
      p.spec.ephemeralContainers = [{ name: 'e', image: 'busybox' }];
    });
    expect(found.map((f) => f.field)).toEqual(['spec.initContainers[0].image', 'spec.ephemeralContainers[0].image']);
  });
});

describe('exposure', () => {
  const policy = (p: Partial<ManifestPolicy> = {}) => ({ policy: ManifestPolicy.parse(p) });
  const service = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec });

  it.each([
    ['ExternalName', { type: 'ExternalName', externalName: 'kubernetes.default.svc.cluster.local' }],
    ['LoadBalancer', { type: 'LoadBalancer', ports: [{ port: 80 }] }],
    ['NodePort', { type: 'NodePort', ports: [{ port: 80 }] }],
  ])('a %s Service needs the catalog to allow it by name and type', (type, spec) => {
    expect(checkManifestObject(service('web', spec), policy())).toEqual([
      {
        rule: 'exposure:service-type',
        field: 'spec.type',
        message: expect.stringContaining(`type ${type} is not allowed for Service web`),
      },
    ]);
    expect(checkManifestObject(service('web', spec), policy({ exposedServices: [{ name: 'web', type } as never] }))).toEqual([]);
    expect(checkManifestObject(service('other', spec), policy({ exposedServices: [{ name: 'web', type } as never] }))).toHaveLength(1);
  });

  it('the built-in catalog allows exactly the UI load balancer', () => {
    const lb = { type: 'LoadBalancer', ports: [{ port: 80 }] };
    expect(checkManifestObject(service('tailspin-client', lb), { policy: TAILSPIN_MANIFEST_POLICY })).toEqual([]);
    expect(checkManifestObject(service('tailspin-server', lb), { policy: TAILSPIN_MANIFEST_POLICY })).toHaveLength(1);
    expect(checkManifestObject(service('tailspin-client', { ...lb, type: 'NodePort' }), { policy: TAILSPIN_MANIFEST_POLICY })).toHaveLength(
      1,
    );
  });

  it('ClusterIP (or no type) is fine; externalIPs never', () => {
    expect(checkManifestObject(service('a', { ports: [{ port: 80 }] }), policy())).toEqual([]);
    expect(checkManifestObject(service('a', { type: 'ClusterIP', externalIPs: ['1.2.3.4'] }), policy())).toEqual([
      expect.objectContaining({ rule: 'exposure:external-ips', field: 'spec.externalIPs' }),
    ]);
  });

  const netpol = (name: string, spec: Record<string, unknown>) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name },
    spec,
  });
  it.each([
    ['an empty ingress rule', { podSelector: {}, ingress: [{}] }, 'spec.ingress[0]'],
    ['from every namespace', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] }, 'spec.ingress[0]'],
    [
      'from every address',
      { podSelector: { matchLabels: { a: 'b' } }, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] },
      'spec.ingress[0]',
    ],
    ['an empty egress rule', { podSelector: {}, policyTypes: ['Egress'], egress: [{}] }, 'spec.egress[0]'],
    ['egress without policyTypes', { podSelector: {}, egress: [{ to: [] }] }, 'spec.egress[0]'],
  ])('refuses a NetworkPolicy with %s', (_what, spec, field) => {
    expect(checkManifestObject(netpol('open', spec), policy())).toEqual([
      expect.objectContaining({ rule: 'exposure:network-policy-allows-all', field }),
    ]);
    const direction = field.includes('egress') ? 'egress' : 'ingress';
    expect(checkManifestObject(netpol('open', spec), policy({ openNetworkPolicies: [{ name: 'open', direction }] }))).toEqual([]);
  });

  it.each([
    ['deny all', { podSelector: {}, policyTypes: ['Ingress'] }],
    ['one port from anywhere', { podSelector: {}, ingress: [{ ports: [{ port: 4321 }] }] }],
    ['from one app', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'x' } } }] }] }],
    [
      'from an address range with exceptions',
      { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }] }] },
    ],
    [
      'an ingress rule the policy does not apply',
      { podSelector: {}, policyTypes: ['Egress'], ingress: [{}], egress: [{ ports: [{ port: 53 }] }] },
    ],
  ])('accepts a NetworkPolicy: %s', (_what, spec) => {
    expect(checkManifestObject(netpol('p', spec), policy())).toEqual([]);
  });

  it("the deployer's ServiceAccount keeps its token unmounted, and no pod runs as it", () => {
    const sa = (automount?: boolean) => ({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'tailspin-deployer' },
      ...(automount === undefined ? {} : { automountServiceAccountToken: automount }),
    });
    expect(checkManifestObject(sa(false), policy())).toEqual([]);
    expect(checkManifestObject(sa(true), policy())).toEqual([
      expect.objectContaining({ rule: 'deployer-account:automount', field: 'automountServiceAccountToken' }),
    ]);
    expect(checkManifestObject(sa(), policy())).toHaveLength(1);
    const pod = casePod((p) => {
      p.spec.serviceAccountName = 'tailspin-deployer';
      p.spec.automountServiceAccountToken = true;
    });
    expect(checkManifestObject(asDeployment(pod), policy())).toEqual([
      expect.objectContaining({ rule: 'deployer-account:pod', field: 'spec.template.spec.serviceAccountName' }),
    ]);
  });
});
