/**
 * Kubernetes NetworkPolicy ingress semantics (networking.k8s.io/v1, as the API reference defines
 * them), enough to ask "may this pod reach that pod on that port?" of the manifests in k8s/.
 * Pods not selected by any Ingress policy accept everything; a selected pod accepts a connection
 * when at least one selecting policy has a rule whose peers and ports both match.
 */

// Manifests are free-form YAML; the schema test types them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;

export interface Pod {
  namespace: string;
  labels: Record<string, string>;
  /** Named container ports, for rules that name a port. */
  ports?: Record<string, number>;
}

interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

/** An empty selector selects everything; a missing one is handled by the caller. */
export function selects(sel: Selector, labels: Record<string, string>): boolean {
  const byLabel = Object.entries(sel.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpr = (sel.matchExpressions ?? []).every((e) => {
    const has = e.key in labels;
    if (e.operator === 'Exists') return has;
    if (e.operator === 'DoesNotExist') return !has;
    if (e.operator === 'In') return has && (e.values ?? []).includes(labels[e.key]!);
    return !has || !(e.values ?? []).includes(labels[e.key]!);
  });
  return byLabel && byExpr;
}

const isIngressPolicy = (p: Obj): boolean => {
  const types = p.spec.policyTypes as string[] | undefined;
  return types ? types.includes('Ingress') : true;
};

function peerMatches(peer: Obj, policyNamespace: string, from: Pod, namespaces: Record<string, Record<string, string>>): boolean {
  if (peer.ipBlock) return false; // pod-to-pod traffic is matched by selectors; the smoke source has no fixed address
  const nsOk = peer.namespaceSelector
    ? selects(peer.namespaceSelector, namespaces[from.namespace] ?? {})
    : from.namespace === policyNamespace;
  const podOk = peer.podSelector ? selects(peer.podSelector, from.labels) : true;
  return nsOk && podOk;
}

function portMatches(rulePort: Obj, port: number, protocol: string, to: Pod): boolean {
  if ((rulePort.protocol ?? 'TCP') !== protocol) return false;
  if (rulePort.port === undefined) return true;
  const start = typeof rulePort.port === 'string' ? to.ports?.[rulePort.port] : (rulePort.port as number);
  if (start === undefined) return false;
  return rulePort.endPort ? port >= start && port <= (rulePort.endPort as number) : port === start;
}

/** May `from` open a connection to `to` on `port`, under these policies? */
export function ingressAllowed(
  policies: Obj[],
  namespaces: Record<string, Record<string, string>>,
  from: Pod,
  to: Pod,
  port: number,
  protocol = 'TCP',
): boolean {
  const selecting = policies.filter(
    (p) =>
      p.kind === 'NetworkPolicy' && p.metadata.namespace === to.namespace && isIngressPolicy(p) && selects(p.spec.podSelector, to.labels),
  );
  if (selecting.length === 0) return true;
  return selecting.some((p) =>
    ((p.spec.ingress ?? []) as Obj[]).some(
      (rule) =>
        (!rule.from?.length || (rule.from as Obj[]).some((peer) => peerMatches(peer, p.metadata.namespace as string, from, namespaces))) &&
        (!rule.ports?.length || (rule.ports as Obj[]).some((rp) => portMatches(rp, port, protocol, to))),
    ),
  );
}
