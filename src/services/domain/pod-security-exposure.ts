/**
 * Objects that widen what can reach the app's pods, or what they can reach, beyond what the catalog
 * allows by name: Services of a type other than ClusterIP, Service externalIPs, NetworkPolicies that
 * open all traffic, and anything that would hand out the deployer's own ServiceAccount.
 */
import type { ManifestPolicy } from './catalog.js';
import { asList, asObj, asString, isSet, podTemplateOf, type Finding, type Obj } from './pod-security-templates.js';

function serviceFindings(o: Obj, name: string, policy: ManifestPolicy): Finding[] {
  const spec = asObj(o.spec) ?? {};
  const type = isSet(spec.type) ? spec.type : 'ClusterIP';
  const out: Finding[] = [];
  if (type !== 'ClusterIP' && !policy.exposedServices.some((s) => s.name === name && s.type === type))
    out.push({
      rule: 'exposure:service-type',
      field: 'spec.type',
      message: `type ${String(type)} is not allowed for Service ${name} (allow it in the catalog's manifestPolicy.exposedServices)`,
    });
  // externalIPs let a Service capture traffic to any address (CVE-2020-8554): never from a manifest.
  if (asList(spec.externalIPs).length > 0)
    out.push({ rule: 'exposure:external-ips', field: 'spec.externalIPs', message: 'Services must not set externalIPs' });
  return out;
}

const isEmptySelector = (v: unknown): boolean => {
  const s = asObj(v);
  return s !== undefined && Object.keys(asObj(s.matchLabels) ?? {}).length === 0 && asList(s.matchExpressions).length === 0;
};

/** A peer that matches every source or destination: all namespaces' pods, or every address. */
function matchesAll(peer: unknown): boolean {
  const p = asObj(peer) ?? {};
  const allPods = isEmptySelector(p.namespaceSelector) && (!isSet(p.podSelector) || isEmptySelector(p.podSelector));
  const block = asObj(p.ipBlock);
  const allAddresses = block !== undefined && ['0.0.0.0/0', '::/0'].includes(String(block.cidr)) && asList(block.except).length === 0;
  const nothing = !isSet(p.namespaceSelector) && !isSet(p.podSelector) && !isSet(p.ipBlock);
  return allPods || allAddresses || nothing;
}

function networkPolicyFindings(o: Obj, name: string, policy: ManifestPolicy): Finding[] {
  const spec = asObj(o.spec) ?? {};
  // Upstream defaulting: every policy affects ingress; one with an egress section affects egress too.
  const types = isSet(spec.policyTypes) ? asList(spec.policyTypes) : ['Ingress', ...(isSet(spec.egress) ? ['Egress'] : [])];
  const directions = [
    { direction: 'ingress' as const, type: 'Ingress', peers: 'from' },
    { direction: 'egress' as const, type: 'Egress', peers: 'to' },
  ];
  return directions.flatMap(({ direction, type, peers }) => {
    if (!types.includes(type) || policy.openNetworkPolicies.some((p) => p.name === name && p.direction === direction)) return [];
    return asList(spec[direction]).flatMap((r, i) => {
      const rule = asObj(r) ?? {};
      const anyPeer = asList(rule[peers]).length === 0 || asList(rule[peers]).some(matchesAll);
      return anyPeer && asList(rule.ports).length === 0
        ? [
            {
              rule: 'exposure:network-policy-allows-all',
              field: `spec.${direction}[${i}]`,
              message: `allows all ${direction} (any ${peers === 'from' ? 'source' : 'destination'}, any port); allow it in the catalog's manifestPolicy.openNetworkPolicies`,
            },
          ]
        : [];
    });
  });
}

function deployerAccountFindings(o: Obj, name: string, policy: ManifestPolicy): Finding[] {
  const account = policy.deployerServiceAccount;
  const out: Finding[] = [];
  if (o.kind === 'ServiceAccount' && name === account && o.automountServiceAccountToken !== false)
    out.push({
      rule: 'deployer-account:automount',
      field: 'automountServiceAccountToken',
      message: `the deployer's ServiceAccount ${account} must keep automountServiceAccountToken: false`,
    });
  const t = podTemplateOf(o);
  // A pod-level automountServiceAccountToken: true overrides the account's false, so no pod may use it at all.
  for (const field of ['serviceAccountName', 'serviceAccount'])
    if (t && asString(t.spec[field]) === account)
      out.push({
        rule: 'deployer-account:pod',
        field: `${t.specPath}.${field}`,
        message: `pods must not run as the deployer's ServiceAccount ${account}`,
      });
  return out;
}

export function exposureFindings(o: Obj, policy: ManifestPolicy): Finding[] {
  const name = asString(asObj(o.metadata)?.name) ?? '';
  return [
    ...(o.kind === 'Service' ? serviceFindings(o, name, policy) : []),
    ...(o.kind === 'NetworkPolicy' ? networkPolicyFindings(o, name, policy) : []),
    ...deployerAccountFindings(o, name, policy),
  ];
}
