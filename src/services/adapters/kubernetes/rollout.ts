/**
 * The patches the adapter sends (pure). Release annotations go on the Deployment's metadata only:
 * anything put into the pod template is part of the template hash, so a release id there would make
 * a new ReplicaSet (a new revision and a full rollout) even when the image did not change, and would
 * defeat the idempotent "image already there → no-op". The deployment controller copies the
 * Deployment's annotations onto the ReplicaSet it creates, so each revision still records who
 * deployed it (and `kubectl rollout history` shows change-cause).
 */
import type { DeployAnnotations } from '../../ports.js';
import { writerToken } from '../../domain/writer.js';
import { HASH_LABEL, REVISION, revisionOf, WRITER } from './observe.js';
import type { PodTemplate, ReplicaSet } from './schema.js';

export const ANNOTATIONS = {
  releaseId: 'tailspin.dev/release-id',
  commit: 'tailspin.dev/commit',
  sourceEvent: 'tailspin.dev/source-event',
  writer: WRITER,
  changeCause: 'kubernetes.io/change-cause',
} as const;

export function releaseAnnotations(a: DeployAnnotations): Record<string, string> {
  return {
    [ANNOTATIONS.releaseId]: a.releaseId,
    ...(a.commit ? { [ANNOTATIONS.commit]: a.commit } : {}),
    [ANNOTATIONS.sourceEvent]: a.sourceEvent,
    [ANNOTATIONS.writer]: writerToken(a.releaseId, a.step),
    [ANNOTATIONS.changeCause]: a.changeCause,
  };
}

/**
 * Strategic merge patch: containers merge by name, so only this container's image changes. With a
 * resourceVersion the API server applies it only to that version of the object (409 otherwise).
 */
export function setImagePatch(container: string, image: string, a: DeployAnnotations, resourceVersion?: string): object {
  return {
    metadata: {
      ...(resourceVersion ? { resourceVersion } : {}),
      annotations: { ...releaseAnnotations(a), ...(a.commit ? {} : { [ANNOTATIONS.commit]: null }) },
    },
    spec: { template: { spec: { containers: [{ name: container, image }] } } },
  };
}

/** Annotations `kubectl rollout undo` keeps from the Deployment rather than the ReplicaSet. */
const KEEP_FROM_DEPLOYMENT = new Set([
  REVISION,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'kubectl.kubernetes.io/last-applied-configuration',
]);

/** The ReplicaSet of the revision before the current one (kubectl's toRevision=0). */
export function previousReplicaSet(sets: ReplicaSet[], currentRevision: number): ReplicaSet | undefined {
  return sets
    .filter((rs) => revisionOf(rs) > 0 && revisionOf(rs) !== currentRevision && rs.spec.template)
    .sort((a, b) => revisionOf(b) - revisionOf(a))[0];
}

/** The ReplicaSet's pod template as a Deployment template: without the controller's hash label. */
export function templateFrom(rs: ReplicaSet): PodTemplate {
  const t = structuredClone(rs.spec.template!);
  if (t.metadata?.labels) delete t.metadata.labels[HASH_LABEL];
  return t;
}

/** JSON patch like kubectl's rollback: the whole template, plus the revision's annotations. */
export function undoPatch(
  deploymentAnnotations: Record<string, string>,
  rs: ReplicaSet,
  a: DeployAnnotations,
  resourceVersion?: string,
): object[] {
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(deploymentAnnotations)) if (KEEP_FROM_DEPLOYMENT.has(k)) annotations[k] = v;
  for (const [k, v] of Object.entries(rs.metadata.annotations)) if (!KEEP_FROM_DEPLOYMENT.has(k)) annotations[k] = v;
  const merged = { ...annotations, ...releaseAnnotations(a) };
  if (!a.commit) delete merged[ANNOTATIONS.commit];
  return [
    { op: 'add', path: '/spec/template', value: templateFrom(rs) },
    { op: 'add', path: '/metadata/annotations', value: merged },
    ...(resourceVersion ? [{ op: 'add', path: '/metadata/resourceVersion', value: resourceVersion }] : []),
  ];
}
