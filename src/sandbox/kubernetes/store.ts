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

export type Change = 'create' | 'update' | 'delete';
/** Told of every stored change (not of no-op writes); `obj` is the stored object: read it, never change it. */
export type ChangeListener = (rt: ResourceType, obj: KObj, change: Change) => void;

/**
 * Objects are kept per type and namespace, and indexed by owner uid, so a list or a controller's
 * look at one Deployment's ReplicaSets costs what it returns, not the size of the whole store.
 */
export class Store {
  readonly types: ResourceType[] = [...BUILTIN_TYPES];
  /** type key → namespace ('' for cluster-scoped) → name → object. */
  private readonly buckets = new Map<string, Map<string, Map<string, KObj>>>();
  /** owner uid → key of an owned object → the object. */
  private readonly byOwner = new Map<string, Map<string, KObj>>();
  private readonly listeners: ChangeListener[] = [];
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

  onChange(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  private typeKey = (rt: ResourceType) => `${groupVersion(rt)}/${rt.name}`;

  private bucket(rt: ResourceType, ns: string | undefined, make = false): Map<string, KObj> | undefined {
    const tk = this.typeKey(rt);
    let byNs = this.buckets.get(tk);
    if (!byNs && make) this.buckets.set(tk, (byNs = new Map<string, Map<string, KObj>>()));
    let b = byNs?.get(ns ?? '');
    if (!b && make) byNs!.set(ns ?? '', (b = new Map<string, KObj>()));
    return b;
  }

  /** The stored object itself, uncopied: for readers that only look. */
  peek(rt: ResourceType, ns: string | undefined, name: string): KObj | undefined {
    return this.bucket(rt, rt.namespaced ? ns : undefined)?.get(name);
  }

  get(rt: ResourceType, ns: string | undefined, name: string): KObj | undefined {
    const o = this.peek(rt, ns, name);
    return o && clone(o);
  }

  list(rt: ResourceType, ns?: string): KObj[] {
    const byNs = this.buckets.get(this.typeKey(rt));
    if (!byNs) return [];
    const from = ns === undefined ? [...byNs.values()] : [byNs.get(ns) ?? new Map<string, KObj>()];
    return from.flatMap((b) => [...b.values()].map((o) => clone(o)));
  }

  /** How many objects of each kind are stored. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const rt of this.types) {
      let n = 0;
      for (const b of this.buckets.get(this.typeKey(rt))?.values() ?? []) n += b.size;
      if (n > 0) out[rt.kind] = n;
    }
    return out;
  }

  /** Copies of the objects of type `rt` whose ownerReferences name `uid`. */
  owned(uid: string, rt: ResourceType): KObj[] {
    const out: KObj[] = [];
    for (const o of this.byOwner.get(uid)?.values() ?? []) if (o.kind === rt.kind && o.apiVersion === groupVersion(rt)) out.push(clone(o));
    return out;
  }

  /** Insert a new object; returns undefined if the name is taken. */
  create(rt: ResourceType, obj: KObj): KObj | undefined {
    const ns = rt.namespaced ? obj.metadata.namespace : undefined;
    const b = this.bucket(rt, ns, true)!;
    if (b.has(obj.metadata.name)) return undefined;
    const stored = clone(obj);
    stored.apiVersion = groupVersion(rt);
    stored.kind = rt.kind;
    stored.metadata.uid = randomUUID();
    stored.metadata.creationTimestamp = rfc3339(this.now());
    stored.metadata.resourceVersion = String(++this.rv);
    if (rt.generation) stored.metadata.generation = 1;
    this.put(rt, b, undefined, stored);
    this.tell(rt, stored, 'create');
    return clone(stored);
  }

  /** Replace an existing object, keeping identity fields; bumps generation when the spec changed. */
  update(rt: ResourceType, obj: KObj): KObj {
    const ns = rt.namespaced ? obj.metadata.namespace : undefined;
    const b = this.bucket(rt, ns);
    const old = b?.get(obj.metadata.name);
    if (!b || !old) throw new Error(`update of missing ${this.typeKey(rt)}/${ns ?? ''}/${obj.metadata.name}`);
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
    if (!changed) return clone(old);
    next.metadata.resourceVersion = String(++this.rv);
    this.put(rt, b, old, next);
    this.tell(rt, next, 'update');
    return clone(next);
  }

  delete(rt: ResourceType, ns: string | undefined, name: string): KObj | undefined {
    const key = rt.namespaced ? ns : undefined;
    const b = this.bucket(rt, key);
    const old = b?.get(name);
    if (!b || !old) return undefined;
    b.delete(name);
    this.unindex(rt, old);
    const prefix = `${rt.name}/${key ?? ''}/${name}|`;
    for (const k of this.applied.keys()) if (k.startsWith(prefix)) this.applied.delete(k);
    this.tell(rt, old, 'delete');
    return old;
  }

  private objKey = (rt: ResourceType, o: KObj) => `${this.typeKey(rt)}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

  private put(rt: ResourceType, b: Map<string, KObj>, old: KObj | undefined, next: KObj): void {
    b.set(next.metadata.name, next);
    // Owners that stay keep the object in place (creation order), as the bucket does.
    if (old) this.unindex(rt, old, new Set((next.metadata.ownerReferences ?? []).map((r) => r.uid)));
    for (const ref of next.metadata.ownerReferences ?? []) {
      let owned = this.byOwner.get(ref.uid);
      if (!owned) this.byOwner.set(ref.uid, (owned = new Map<string, KObj>()));
      owned.set(this.objKey(rt, next), next);
    }
  }

  private unindex(rt: ResourceType, o: KObj, keep = new Set<string>()): void {
    for (const ref of o.metadata.ownerReferences ?? []) {
      if (keep.has(ref.uid)) continue;
      const owned = this.byOwner.get(ref.uid);
      owned?.delete(this.objKey(rt, o));
      if (owned?.size === 0) this.byOwner.delete(ref.uid);
    }
  }

  private tell(rt: ResourceType, obj: KObj, change: Change): void {
    for (const l of this.listeners) l(rt, obj, change);
  }
}

function without(o: KObj, ...keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
}

/** The apiserver serialises metav1.Time with second precision. */
export function rfc3339(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}
