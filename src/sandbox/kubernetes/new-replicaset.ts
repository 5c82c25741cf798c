/**
 * The deployment controller creating a Deployment's next ReplicaSet: the pod-template-hash name,
 * the annotations it copies, and how many replicas the new set starts with.
 */
import { createHash } from 'node:crypto';
import type { Emit } from './events.js';
import { clone } from './patch.js';
import type { KObj, Store } from './store.js';
import { HASH, REVISION, canonical, replicasOf, surgeOf, type DeploymentSpec } from './spec.js';

/** The alphabet of generated name suffixes (apimachinery's rand.SafeEncodeString). */
export const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

export function createReplicaSet(store: Store, emit: Emit, d: KObj, revision: number, existing: KObj[]): KObj {
  const spec = d.spec as unknown as DeploymentSpec;
  const template = clone(spec.template);
  let hash = templateHash(template, 0);
  for (let n = 1; existing.some((rs) => rs.metadata.name === `${d.metadata.name}-${hash}`); n++) hash = templateHash(template, n);
  template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [HASH]: hash } };
  const replicas = initialReplicas(spec, existing);
  const annotations = Object.fromEntries(
    Object.entries(d.metadata.annotations ?? {}).filter(
      ([k]) => k !== REVISION && k !== 'kubectl.kubernetes.io/last-applied-configuration',
    ),
  );
  const created = store.create(store.typeFor('apps/v1', 'ReplicaSet'), {
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      labels: template.metadata.labels,
      annotations: {
        ...annotations,
        'deployment.kubernetes.io/desired-replicas': String(spec.replicas ?? 1),
        'deployment.kubernetes.io/max-replicas': String((spec.replicas ?? 1) + surgeOf(spec)),
        [REVISION]: String(revision),
      },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: d.metadata.name,
          uid: d.metadata.uid!,
          controller: true,
          blockOwnerDeletion: true,
        } as never,
      ],
    },
    spec: {
      replicas,
      minReadySeconds: spec.minReadySeconds ?? 0,
      selector: { matchLabels: { ...spec.selector?.matchLabels, [HASH]: hash } },
      template,
    },
  })!;
  if (replicas > 0)
    emit(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${replicas}`, 'deployment-controller');
  return created;
}

function initialReplicas(spec: DeploymentSpec, old: KObj[]): number {
  const desired = spec.replicas ?? 1;
  if (spec.strategy?.type === 'Recreate') return old.some((rs) => replicasOf(rs) > 0) ? 0 : desired;
  const total = old.reduce((n, rs) => n + replicasOf(rs), 0);
  return Math.max(0, Math.min(desired, desired + surgeOf(spec) - total));
}

function templateHash(template: unknown, collision: number): string {
  let n = createHash('sha256').update(canonical(template)).update(String(collision)).digest().readUInt32BE(0);
  let out = '';
  while (out.length < 10) {
    out += SAFE[n % SAFE.length];
    n = Math.floor(n / SAFE.length) || n + 7;
  }
  return out;
}
