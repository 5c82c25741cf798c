/**
 * The fake API server's object store: resourceVersion, uid, generation and creationTimestamp
 * bookkeeping as the real apiserver does it, keyed by resource type, namespace and name.
 */
import { randomUUID } from 'node:crypto';
import { clone } from './patch.js';

export interface KObj {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
    managedFields?: unknown[];
    [k: string]: unknown;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [k: string]: unknown;
}

export interface ResourceType {
  group: string;
  version: string;
  /** Plural resource name, e.g. "deployments". */
  name: string;
  singularName: string;
  kind: string;
  namespaced: boolean;
  /** Kinds with a spec whose changes bump metadata.generation. */
  generation?: boolean;
}

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
export const verbsOf = (_t: ResourceType): string[] => VERBS;

const t = (group: string, version: string, kind: string, namespaced = true, generation = false, plural?: string): ResourceType => ({
  group,
  version,
  kind,
  namespaced,
  generation,
  name: plural ?? `${kind.toLowerCase()}s`,
  singularName: kind.toLowerCase(),
});

export const BUILTIN_TYPES: ResourceType[] = [
  t('', 'v1', 'Namespace', false),
  t('', 'v1', 'Pod'),
  t('', 'v1', 'Service'),
  t('', 'v1', 'ServiceAccount'),
  t('', 'v1', 'ConfigMap'),
  t('', 'v1', 'Secret'),
  t('', 'v1', 'Event'),
  t('apps', 'v1', 'Deployment', true, true),
  t('apps', 'v1', 'ReplicaSet', true, true),
  t('networking.k8s.io', 'v1', 'NetworkPolicy', true, true, 'networkpolicies'),
  t('rbac.authorization.k8s.io', 'v1', 'Role'),
  t('rbac.authorization.k8s.io', 'v1', 'RoleBinding'),
  t('rbac.authorization.k8s.io', 'v1', 'ClusterRole', false),
  t('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', false),
];

export const groupVersion = (rt: ResourceType): string => (rt.group ? `${rt.group}/${rt.version}` : rt.version);

export class Store {
  readonly types: ResourceType[] = [...BUILTIN_TYPES];
  private readonly objects = new Map<string, KObj>();
  /** The last configuration each field manager applied to an object (server-side apply ownership, simplified). */
  readonly applied = new Map<string, unknown>();
  private rv = 1000;

  constructor(private readonly now: () => Date) {}

  /** A kind the fake does not model is still stored, like a CRD would be (seeded manifests). */
  typeFor(apiVersion: string, kind: string): ResourceType {
    const found = this.types.find((x) => groupVersion(x) === apiVersion && x.kind === kind);
    if (found) return found;
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    const added = t(group!, version!, kind, true, true);
    this.types.push(added);
    return added;
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  private key = (rt: ResourceType, ns: string | undefined, name: string) => `${groupVersion(rt)}/${rt.name}/${ns ?? ''}/${name}`;

  get(rt: ResourceType, ns: string | undefined, name: string): KObj | undefined {
    const o = this.objects.get(this.key(rt, ns, name));
    return o && clone(o);
  }

  list(rt: ResourceType, ns?: string): KObj[] {
    const prefix = `${groupVersion(rt)}/${rt.name}/${ns ?? ''}`;
    return [...this.objects.entries()]
      .filter(([k]) => (ns === undefined ? k.startsWith(`${groupVersion(rt)}/${rt.name}/`) : k.startsWith(`${prefix}/`)))
      .map(([, o]) => clone(o));
  }

  /** Insert a new object; returns undefined if the name is taken. */
  create(rt: ResourceType, obj: KObj): KObj | undefined {
    const ns = rt.namespaced ? obj.metadata.namespace : undefined;
    const k = this.key(rt, ns, obj.metadata.name);
    if (this.objects.has(k)) return undefined;
    const stored = clone(obj);
    stored.apiVersion = groupVersion(rt);
    stored.kind = rt.kind;
    stored.metadata.uid = randomUUID();
    stored.metadata.creationTimestamp = rfc3339(this.now());
    stored.metadata.resourceVersion = String(++this.rv);
    if (rt.generation) stored.metadata.generation = 1;
    this.objects.set(k, stored);
    return clone(stored);
  }

  /** Replace an existing object, keeping identity fields; bumps generation when the spec changed. */
  update(rt: ResourceType, obj: KObj): KObj {
    const ns = rt.namespaced ? obj.metadata.namespace : undefined;
    const k = this.key(rt, ns, obj.metadata.name);
    const old = this.objects.get(k);
    if (!old) throw new Error(`update of missing ${k}`);
    const next = clone(obj);
    next.apiVersion = old.apiVersion;
    next.kind = old.kind;
    next.metadata.uid = old.metadata.uid;
    next.metadata.creationTimestamp = old.metadata.creationTimestamp;
    const specChanged = JSON.stringify(without(old, 'metadata', 'status')) !== JSON.stringify(without(next, 'metadata', 'status'));
    next.metadata.generation = rt.generation ? (old.metadata.generation ?? 1) + (specChanged ? 1 : 0) : undefined;
    if (next.metadata.generation === undefined) delete next.metadata.generation;
    // A write that changes nothing is not persisted and keeps its resourceVersion (apiserver no-op).
    const changed =
      JSON.stringify({ ...next, metadata: { ...next.metadata, resourceVersion: '' } }) !==
      JSON.stringify({ ...old, metadata: { ...old.metadata, resourceVersion: '' } });
    next.metadata.resourceVersion = changed ? String(++this.rv) : old.metadata.resourceVersion;
    this.objects.set(k, next);
    return clone(next);
  }

  delete(rt: ResourceType, ns: string | undefined, name: string): KObj | undefined {
    const k = this.key(rt, rt.namespaced ? ns : undefined, name);
    const old = this.objects.get(k);
    this.objects.delete(k);
    return old;
  }
}

function without(o: KObj, ...keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
}

/** The apiserver serialises metav1.Time with second precision. */
export function rfc3339(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}
