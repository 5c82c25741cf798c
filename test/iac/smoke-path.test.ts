// The deployer's smoke checks against the NetworkPolicies in k8s/apps: every service-proxy check
// the catalog defines must be reachable from where AKS's API-server proxy traffic comes from
// (konnectivity-agent pods in kube-system), on the port the Service forwards to — and nothing
// else gets in through the rule that admits it. A policy change that would make every release of
// an app fail its smoke check and roll back fails here first.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { defaultCatalog } from '../../src/services/domain/catalog.js';
import { ingressAllowed, selects, type Obj, type Pod } from './network-policy.js';

const apps = fileURLToPath(new URL('../../k8s/apps', import.meta.url));
const docs: Obj[] = readdirSync(apps)
  .filter((f) => /\.ya?ml$/.test(f))
  .flatMap((f) => parseAllDocuments(readFileSync(join(apps, f), 'utf8')).map((d) => d.toJS() as Obj))
  .filter(Boolean);
const policies = docs.filter((d) => d.kind === 'NetworkPolicy');
const catalog = defaultCatalog('tailspin/tailspin-toys', 'main', ['prod']);

/** Namespace labels as the API server sets them (kubernetes.io/metadata.name is automatic). */
const NAMESPACES: Record<string, Record<string, string>> = {
  'kube-system': { 'kubernetes.io/metadata.name': 'kube-system' },
  'tail-spin': { 'kubernetes.io/metadata.name': 'tail-spin', 'app.kubernetes.io/part-of': 'tailspin' },
  other: { 'kubernetes.io/metadata.name': 'other' },
};
/** Where AKS's API-server service proxy connects from (konnectivity, see PLATFORM-NOTES). */
const PROXY: Pod = { namespace: 'kube-system', labels: { app: 'konnectivity-agent' } };

interface Target {
  pod: Pod;
  port: number;
}

/** The pod and container port a Service port leads to, as kube-proxy resolves it. */
function behind(service: string, servicePort: number, namespace: string): Target {
  const svc = docs.find((d) => d.kind === 'Service' && d.metadata.name === service && d.metadata.namespace === namespace);
  if (!svc) throw new Error(`no Service ${namespace}/${service} in k8s/apps`);
  const sp = (svc.spec.ports as Obj[]).find((p) => p.port === servicePort);
  if (!sp) throw new Error(`Service ${service} has no port ${servicePort}`);
  const dep = docs.find(
    (d) =>
      d.kind === 'Deployment' &&
      d.metadata.namespace === namespace &&
      selects({ matchLabels: svc.spec.selector }, d.spec.template.metadata.labels),
  );
  if (!dep) throw new Error(`no Deployment behind Service ${service}`);
  const ports: Record<string, number> = {};
  for (const c of dep.spec.template.spec.containers as Obj[])
    for (const p of (c.ports ?? []) as Obj[]) if (p.name) ports[p.name] = p.containerPort;
  const target = sp.targetPort ?? sp.port;
  const port = typeof target === 'string' ? ports[target] : target;
  if (port === undefined) throw new Error(`Service ${service} targets unknown port ${String(target)}`);
  return { pod: { namespace, labels: dep.spec.template.metadata.labels, ports }, port };
}

const smokeChecks = catalog.apps.flatMap((app) =>
  app.smoke.flatMap((s) =>
    s.kind === 'service-proxy' ? [{ app: app.name, namespace: app.namespace, service: s.service, port: s.port }] : [],
  ),
);

describe('the smoke path through the API server proxy', () => {
  it('covers every service-proxy smoke check of the catalog', () => {
    expect(smokeChecks.map((s) => `${s.app} → ${s.service}:${s.port}`)).toEqual([
      'tailspin-server → tailspin-server:5100',
      'tailspin-client → tailspin-client:80',
    ]);
  });

  it.each(smokeChecks)('$app: the proxy reaches the pod behind $service:$port', ({ namespace, service, port }) => {
    const to = behind(service, port, namespace);
    expect(ingressAllowed(policies, NAMESPACES, PROXY, to.pod, to.port)).toBe(true);
  });

  it('admits the proxy on the smoke port only, and nobody else through that rule', () => {
    const server = behind('tailspin-server', 5100, 'tail-spin');
    expect(ingressAllowed(policies, NAMESPACES, PROXY, server.pod, 22)).toBe(false);
    expect(ingressAllowed(policies, NAMESPACES, { namespace: 'kube-system', labels: { app: 'coredns' } }, server.pod, 5100)).toBe(false);
    expect(ingressAllowed(policies, NAMESPACES, { namespace: 'other', labels: { app: 'konnectivity-agent' } }, server.pod, 5100)).toBe(
      false,
    );
    expect(ingressAllowed(policies, NAMESPACES, { namespace: 'tail-spin', labels: { app: 'konnectivity-agent' } }, server.pod, 5100)).toBe(
      false,
    );
    const client = behind('tailspin-client', 80, 'tail-spin');
    expect(ingressAllowed(policies, NAMESPACES, client.pod, server.pod, 5100)).toBe(true);
  });

  it('would fail without the proxy rule (the check has teeth)', () => {
    const server = behind('tailspin-server', 5100, 'tail-spin');
    const without = policies.filter((p) => p.metadata.name !== 'tailspin-server-from-api-server-proxy');
    expect(ingressAllowed(without, NAMESPACES, PROXY, server.pod, server.port)).toBe(false);
  });
});
