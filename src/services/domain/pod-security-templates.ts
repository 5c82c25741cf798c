/**
 * Where pods hide inside workload objects, and a walk over their containers with field paths.
 * Manifests are untrusted input of any shape: every accessor here tolerates anything.
 */

export type Obj = Record<string, unknown>;
export const asObj = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);
export const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const asString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
/** A field as text for comparison and messages: absent/null → "", strings as they are, anything else as JSON. */
export const asText = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v));
/** Go's `x != nil` for a JSON field: present and not null. */
export const isSet = (v: unknown): boolean => v !== undefined && v !== null;

/** One finding of a rule, at a field of the object (a path like spec.template.spec.containers[0].image). */
export interface Finding {
  rule: string;
  field: string;
  message: string;
}

export interface PodTemplate {
  metadata: Obj;
  spec: Obj;
  /** Field path of the template's metadata and spec, e.g. "spec.template.metadata". */
  metadataPath: string;
  specPath: string;
}

/** The path from each workload kind to its pod template (a Pod is its own template). */
const TEMPLATE_PATHS = new Map<string, string[]>([
  ['Pod', []],
  ['Deployment', ['spec', 'template']],
  ['ReplicaSet', ['spec', 'template']],
  ['ReplicationController', ['spec', 'template']],
  ['StatefulSet', ['spec', 'template']],
  ['DaemonSet', ['spec', 'template']],
  ['Job', ['spec', 'template']],
  ['CronJob', ['spec', 'jobTemplate', 'spec', 'template']],
]);

/** The pod template of a workload object; undefined for kinds without one or when it is missing. */
export function podTemplateOf(o: Obj): PodTemplate | undefined {
  const path = TEMPLATE_PATHS.get(asString(o.kind) ?? '');
  if (!path) return undefined;
  let node: Obj | undefined = o;
  for (const key of path) node = asObj(node?.[key]);
  if (!node) return undefined;
  const prefix = path.length ? `${path.join('.')}.` : '';
  return {
    metadata: asObj(node.metadata) ?? {},
    spec: asObj(node.spec) ?? {},
    metadataPath: `${prefix}metadata`,
    specPath: `${prefix}spec`,
  };
}

export interface ContainerAt {
  container: Obj;
  name: string;
  /** e.g. spec.template.spec.initContainers[1] */
  path: string;
}

/** Every container, in the order the upstream admission visits them: init, regular, ephemeral. */
export function containersOf(t: PodTemplate): ContainerAt[] {
  return ['initContainers', 'containers', 'ephemeralContainers'].flatMap((field) =>
    asList(t.spec[field]).flatMap((c, i) => {
      const container = asObj(c);
      return container ? [{ container, name: asString(container.name) ?? `#${i}`, path: `${t.specPath}.${field}[${i}]` }] : [];
    }),
  );
}

/** The securityContext of a container or of the pod, when there is one. */
export const securityContextOf = (o: Obj): Obj | undefined => asObj(o.securityContext);

/** Upstream exempts pods that declare spec.os.name=windows from the Linux-only restricted checks. */
export const isWindowsPod = (t: PodTemplate): boolean => asObj(t.spec.os)?.name === 'windows';
