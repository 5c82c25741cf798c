/** GET /_sandbox: a read-only summary of what the fake cluster runs, for people and the README. */
import type { Store } from './store.js';

export function sandboxView(store: Store): unknown {
  const list = (apiVersion: string, kind: string) => store.list(store.typeFor(apiVersion, kind));
  const image = (o: { spec?: Record<string, unknown> }, path: 'template' | 'pod') => {
    const spec = (path === 'template' ? (o.spec?.template as { spec?: Record<string, unknown> } | undefined)?.spec : o.spec) ?? {};
    return ((spec.containers ?? []) as { image: string }[]).map((c) => c.image);
  };
  return {
    deployments: list('apps/v1', 'Deployment').map((d) => ({
      namespace: d.metadata.namespace,
      name: d.metadata.name,
      generation: d.metadata.generation,
      revision: d.metadata.annotations?.['deployment.kubernetes.io/revision'],
      releaseId: d.metadata.annotations?.['tailspin.dev/release-id'],
      images: image(d, 'template'),
      status: d.status,
    })),
    replicasets: list('apps/v1', 'ReplicaSet').map((rs) => ({
      namespace: rs.metadata.namespace,
      name: rs.metadata.name,
      revision: rs.metadata.annotations?.['deployment.kubernetes.io/revision'],
      replicas: rs.spec?.replicas,
      images: image(rs, 'template'),
      status: rs.status,
    })),
    pods: list('v1', 'Pod').map((p) => ({
      namespace: p.metadata.namespace,
      name: p.metadata.name,
      phase: p.status?.phase,
      ready: ((p.status?.conditions ?? []) as { type: string; status: string }[]).some((c) => c.type === 'Ready' && c.status === 'True'),
      images: image(p, 'pod'),
    })),
  };
}
