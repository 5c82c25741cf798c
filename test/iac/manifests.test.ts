// Every document in k8s/ must be accepted by the Kubernetes API schema of the
// version AKS runs, and must carry the architecture's numbers.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect, beforeAll } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { K8sSchemas, K8S_VERSION } from './k8s-schema.js';

// Manifests are free-form YAML; the schema test above is what types them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;

const root = fileURLToPath(new URL('../..', import.meta.url));
const k8sDir = join(root, 'k8s');
const NS = 'tail-spin';

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

const files = yamlFiles(k8sDir).sort();
const docs: { file: string; doc: Obj }[] = files.flatMap((file) =>
  parseAllDocuments(readFileSync(file, 'utf8')).map((d) => {
    if (d.errors.length) throw new Error(`${file}: ${d.errors.map((e) => e.message).join('; ')}`);
    return { file: relative(root, file), doc: d.toJS() as Obj };
  }),
);
const all = docs.map((d) => d.doc).filter(Boolean);
const find = (kind: string, name: string): Obj => {
  const hit = all.find((d) => d.kind === kind && d.metadata?.name === name);
  if (!hit) throw new Error(`no ${kind}/${name} in k8s/`);
  return hit;
};
const container = (dep: Obj) => dep.spec.template.spec.containers[0];

let schemas: K8sSchemas;
beforeAll(() => {
  schemas = new K8sSchemas();
}, 300_000);

describe(`k8s/ against the Kubernetes ${K8S_VERSION} OpenAPI schema`, () => {
  it('finds manifests', () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
    expect(all.length).toBeGreaterThanOrEqual(10);
  });

  it.each(docs.map((d) => [`${d.file} ${d.doc?.kind}/${d.doc?.metadata?.name}`, d.doc]))('%s is valid', (_label, doc) => {
    expect(schemas.validate(doc)).toEqual([]);
  });

  // The validator must have teeth: these are mistakes that kubectl would reject.
  it('rejects a misspelt field, a wrong type and an unknown kind', () => {
    const dep = structuredClone(find('Deployment', 'tailspin-server'));
    dep.spec.template.spec.contianers = dep.spec.template.spec.containers;
    expect(schemas.validate(dep).join()).toMatch(/additional/);
    const typed = structuredClone(find('Deployment', 'tailspin-server'));
    typed.spec.replicas = 'two';
    expect(schemas.validate(typed).join()).toMatch(/integer/);
    expect(() => schemas.validate({ apiVersion: 'apps/v1', kind: 'Deploymnet' })).toThrow(/no kind/);
  });

  it('targets the Kubernetes minor version that infra deploys', () => {
    const tf = readFileSync(join(root, 'infra', 'variables.tf'), 'utf8');
    const m = /variable "kubernetes_version"[\s\S]*?default\s*=\s*"(\d+\.\d+)"/.exec(tf);
    expect(m?.[1]).toBe(K8S_VERSION.split('.').slice(0, 2).join('.'));
  });
});

describe('architecture numbers', () => {
  it('puts everything in namespace tail-spin', () => {
    expect(find('Namespace', NS).metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    for (const d of all.filter((d) => d.kind !== 'Namespace')) {
      expect(d.metadata.namespace, `${d.kind}/${d.metadata.name}`).toBe(NS);
    }
  });

  it('labels every workload', () => {
    for (const d of all.filter((d) => !['Namespace', 'NetworkPolicy'].includes(d.kind))) {
      expect(d.metadata.labels?.['app.kubernetes.io/name'], `${d.kind}/${d.metadata.name}`).toBe(d.metadata.name);
      expect(d.metadata.labels?.['app.kubernetes.io/part-of']).toBe('tailspin');
    }
  });

  const apps = [
    { name: 'tailspin-server', port: 5100, probe: '/api/games', cpu: ['250m', '1000m'], mem: ['512Mi', '1Gi'] },
    { name: 'tailspin-client', port: 4321, probe: '/', cpu: ['100m', '500m'], mem: ['256Mi', '512Mi'] },
  ];

  describe.each(apps)('$name', ({ name, port, probe, cpu, mem }) => {
    const dep = () => find('Deployment', name);

    it('runs the named container on its port with the architecture resources', () => {
      const c = container(dep());
      expect(c.name).toBe(name);
      expect(c.image).toMatch(new RegExp(`^tailspinacr\\.azurecr\\.io/${name}[:@]`));
      expect(c.ports).toEqual([{ name: 'http', containerPort: port, protocol: 'TCP' }]);
      expect(c.resources).toEqual({
        requests: { cpu: cpu[0], memory: mem[0] },
        limits: { cpu: cpu[1], memory: mem[1] },
      });
    });

    it('has readiness and liveness probes', () => {
      const c = container(dep());
      expect(c.readinessProbe.httpGet).toEqual({ path: probe, port });
      expect(c.livenessProbe.tcpSocket ?? c.livenessProbe.httpGet).toMatchObject({ port });
    });

    it('runs as non-root with nothing to escalate', () => {
      const pod = dep().spec.template.spec;
      const c = container(dep());
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.securityContext.runAsUser).toBeGreaterThan(10000);
      expect(pod.securityContext.seccompProfile.type).toBe('RuntimeDefault');
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(c.securityContext).toMatchObject({
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
    });

    it('rolls out in a way the deployer can judge and undo', () => {
      const spec = dep().spec;
      expect(spec.progressDeadlineSeconds).toBeGreaterThanOrEqual(120);
      expect(spec.progressDeadlineSeconds).toBeLessThanOrEqual(600);
      expect(spec.revisionHistoryLimit).toBeGreaterThanOrEqual(3);
      expect(spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
      expect(spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': name });
      expect(spec.template.metadata.labels).toMatchObject({
        'app.kubernetes.io/name': name,
        'app.kubernetes.io/part-of': 'tailspin',
      });
    });
  });

  it('exposes the server as ClusterIP 5100 and the client as LoadBalancer 80', () => {
    const server = find('Service', 'tailspin-server');
    const client = find('Service', 'tailspin-client');
    expect(server.spec.type).toBe('ClusterIP');
    expect(server.spec.ports).toEqual([{ name: 'http', port: 5100, targetPort: 'http', protocol: 'TCP' }]);
    expect(client.spec.type).toBe('LoadBalancer');
    expect(client.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
    for (const svc of [server, client]) {
      const dep = find('Deployment', svc.metadata.name);
      expect(dep.spec.template.metadata.labels).toMatchObject(svc.spec.selector);
      expect(container(dep).ports.map((p: Obj) => p.name)).toContain(svc.spec.ports[0].targetPort);
    }
  });

  it('lets only the client, and the API server proxy on the smoke port, reach the server', () => {
    const policies = all.filter((d) => d.kind === 'NetworkPolicy');
    const deny = policies.find((p) => Object.keys(p.spec.podSelector).length === 0);
    expect(deny?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    const toServer = policies.filter((p) => p.spec.podSelector.matchLabels?.['app.kubernetes.io/name'] === 'tailspin-server');
    const rules = toServer.flatMap((p) => p.spec.ingress ?? []);
    expect(rules).toEqual([
      {
        from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'tailspin-client' } } }],
        ports: [{ protocol: 'TCP', port: 5100 }],
      },
      {
        from: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
            podSelector: { matchLabels: { app: 'konnectivity-agent' } },
          },
        ],
        ports: [{ protocol: 'TCP', port: 5100 }],
      },
    ]);
  });

  it('gives the deployer exactly the verbs it uses', () => {
    const role = find('Role', 'tailspin-deployer');
    const verbs: Record<string, string[]> = {};
    for (const r of role.rules) {
      for (const g of r.apiGroups) for (const res of r.resources) verbs[`${g}/${res}`] = [...r.verbs].sort();
    }
    expect(verbs).toEqual({
      'apps/deployments': ['create', 'get', 'patch'],
      'apps/replicasets': ['list'],
      '/pods': ['list'],
      '/events': ['list'],
      '/services/proxy': ['get'],
      '/services': ['create', 'patch'],
      '/configmaps': ['create', 'patch'],
      '/serviceaccounts': ['create', 'patch'],
      'networking.k8s.io/networkpolicies': ['create', 'patch'],
      'autoscaling/horizontalpodautoscalers': ['create', 'patch'],
      'policy/poddisruptionbudgets': ['create', 'patch'],
    });
    const binding = find('RoleBinding', 'tailspin-deployer');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'tailspin-deployer' });
  });
});
