/**
 * REST semantics of the fake API server for one resource type: get, list (label/field selectors,
 * limit), create, replace (optimistic concurrency), the four patch content types, and delete
 * (with the garbage collector's cascade for Deployments/ReplicaSets/Namespaces).
 */
import { parse as parseYaml } from 'yaml';
import { clone, jsonPatch, mergePatch, PatchError, strategicMerge, type Json } from './patch.js';
import { matchesFields, matchesLabels, parseLabelSelector } from './selectors.js';
import { alreadyExists, failure, notFound, ok, type HttpAnswer } from './status-object.js';
import { rfc3339, type KObj, type ResourceType, type Store } from './store.js';

export interface ResourceRequest {
  method: string;
  rt: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
  query: URLSearchParams;
  contentType: string;
  body: string;
}

export function handleResource(store: Store, now: () => Date, r: ResourceRequest): HttpAnswer {
  const { rt, namespace: ns, name } = r;
  if (rt.namespaced && ns && r.method !== 'GET' && !store.get(store.typeFor('v1', 'Namespace'), undefined, ns)) {
    return notFound('namespaces', '', ns);
  }
  if (!name) {
    if (r.method === 'GET') return list(store, r);
    if (r.method === 'POST') return create(store, r, parseBody(r.body) as KObj);
    return failure(405, `the server does not allow this method on the requested resource`);
  }
  const existing = store.get(rt, ns, name);
  switch (r.method) {
    case 'GET':
      return existing ? ok(existing) : notFound(rt.name, rt.group, name);
    case 'PUT': {
      if (!existing) return notFound(rt.name, rt.group, name);
      const next = parseBody(r.body) as KObj;
      const stale = staleVersion(rt, existing, next);
      if (stale) return stale;
      return ok(store.update(rt, { ...next, status: r.subresource === 'status' ? next.status : existing.status }));
    }
    case 'PATCH':
      return patch(store, now, r, existing);
    case 'DELETE':
      if (!existing) return notFound(rt.name, rt.group, name);
      cascade(store, existing);
      return ok(existing);
    default:
      return failure(405, 'the server does not allow this method on the requested resource');
  }
}

function list(store: Store, r: ResourceRequest): HttpAnswer {
  const labels = parseLabelSelector(r.query.get('labelSelector'));
  const fields = r.query.get('fieldSelector');
  let items = store
    .list(r.rt, r.rt.namespaced ? r.namespace : undefined)
    .filter((o) => matchesLabels(o.metadata.labels, labels) && matchesFields(o, fields))
    .sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  const offset = Number(r.query.get('continue') ?? 0) || 0;
  const limit = Number(r.query.get('limit') ?? 0);
  const more = limit > 0 && items.length > offset + limit;
  items = limit > 0 ? items.slice(offset, offset + limit) : items.slice(offset);
  // Items of a typed list carry neither apiVersion nor kind, as the real server sends them.
  const bare = items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
  return ok({
    kind: `${r.rt.kind}List`,
    apiVersion: r.rt.group ? `${r.rt.group}/${r.rt.version}` : r.rt.version,
    metadata: { resourceVersion: store.resourceVersion, ...(more ? { continue: String(offset + limit) } : {}) },
    items: bare,
  });
}

function create(store: Store, r: ResourceRequest, obj: KObj): HttpAnswer {
  const name = obj.metadata?.name;
  if (!name) return failure(422, `${r.rt.kind} "" is invalid: metadata.name: Required value: name or generateName is required`);
  if (r.rt.namespaced) obj.metadata.namespace = r.namespace ?? obj.metadata.namespace;
  const invalid = validate(r.rt, obj);
  if (invalid) return invalid;
  const created = store.create(r.rt, withDefaults(r.rt, obj));
  return created ? ok(created, 201) : alreadyExists(r.rt.name, r.rt.group, name);
}

function patch(store: Store, now: () => Date, r: ResourceRequest, existing: KObj | undefined): HttpAnswer {
  const name = r.name!;
  const type = r.contentType.split(';')[0]!.trim();
  let body: unknown;
  try {
    body = parseBody(r.body);
  } catch {
    return failure(400, 'the body of the request was in an unknown format');
  }
  if (type === 'application/apply-patch+yaml') {
    const manager = r.query.get('fieldManager');
    if (!manager) return failure(400, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    const applied = body as KObj;
    const entry = {
      manager,
      operation: 'Apply',
      apiVersion: applied.apiVersion,
      time: rfc3339(now()),
      fieldsType: 'FieldsV1',
      fieldsV1: {},
    };
    if (!existing) {
      store.applied.set(`${r.rt.name}/${r.namespace ?? ''}/${name}|${manager}`, structuredClone(applied));
      const obj = {
        ...applied,
        metadata: { ...applied.metadata, name, namespace: r.rt.namespaced ? r.namespace : undefined, managedFields: [entry] },
      };
      const invalid = validate(r.rt, obj);
      if (invalid) return invalid;
      return ok(store.create(r.rt, withDefaults(r.rt, obj)), 201);
    }
    // Server-side apply, simplified: fields this manager applied before and no longer applies are
    // removed (as ownership makes the real server do), then the applied config is merged in.
    const key = `${r.rt.name}/${r.namespace ?? ''}/${name}|${manager}`;
    const previous = store.applied.get(key);
    const pruned = previous
      ? (prune(existing as unknown as Json, previous as Json, applied as unknown as Json) as unknown as KObj)
      : existing;
    const merged = strategicMerge(pruned as unknown as Json, stripIdentity(applied) as Json) as unknown as KObj;
    store.applied.set(key, structuredClone(applied));
    const managers = (existing.metadata.managedFields ?? []) as { manager: string }[];
    merged.metadata.managedFields = [...managers.filter((m) => m.manager !== manager), entry];
    return finishPatch(store, r, existing, merged);
  }
  if (!existing) return notFound(r.rt.name, r.rt.group, name);
  try {
    let next: Json;
    if (type === 'application/json-patch+json') next = jsonPatch(existing as unknown as Json, body);
    else if (type === 'application/merge-patch+json') next = mergePatch(existing as unknown as Json, body as Json);
    else if (type === 'application/strategic-merge-patch+json') next = strategicMerge(existing as unknown as Json, body as Json);
    else
      return failure(
        415,
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
      );
    return finishPatch(store, r, existing, next as unknown as KObj);
  } catch (e) {
    if (e instanceof PatchError) return failure(e.code, e.message);
    throw e;
  }
}

/**
 * Optimistic concurrency: a PUT, or a patch whose result carries a resourceVersion (the patch set
 * it), applies only to that version of the object, as the real registry's update does.
 */
function staleVersion(rt: ResourceType, existing: KObj, next: KObj): HttpAnswer | undefined {
  const rv = next.metadata?.resourceVersion;
  if (!rv || rv === existing.metadata.resourceVersion) return undefined;
  return failure(
    409,
    `Operation cannot be fulfilled on ${rt.name}${rt.group ? `.${rt.group}` : ''} "${existing.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name: existing.metadata.name, group: rt.group, kind: rt.name },
  );
}

function finishPatch(store: Store, r: ResourceRequest, existing: KObj, next: KObj): HttpAnswer {
  const stale = staleVersion(r.rt, existing, next);
  if (stale) return stale;
  // Identity is the server's: a patch cannot rename or move an object.
  next.metadata = { ...next.metadata, name: existing.metadata.name, namespace: existing.metadata.namespace };
  if (r.subresource !== 'status') next.status = existing.status;
  const invalid = validate(r.rt, next);
  return invalid ?? ok(store.update(r.rt, next));
}

function stripIdentity(o: KObj): KObj {
  const c = clone(o);
  delete c.metadata.uid;
  delete c.metadata.resourceVersion;
  delete c.metadata.managedFields;
  delete c.status;
  return c;
}

/** The garbage collector's job, done at once: owned objects go with their owner. */
function cascade(store: Store, obj: KObj): void {
  const rt = store.typeFor(obj.apiVersion ?? 'v1', obj.kind ?? '');
  store.delete(rt, obj.metadata.namespace, obj.metadata.name);
  if (obj.kind === 'Namespace') {
    for (const t of store.types.filter((x) => x.namespaced))
      for (const o of store.list(t, obj.metadata.name)) store.delete(t, o.metadata.namespace, o.metadata.name);
    return;
  }
  for (const kind of ['ReplicaSet', 'Pod']) {
    const t = store.typeFor(kind === 'Pod' ? 'v1' : 'apps/v1', kind);
    for (const o of store
      .list(t, obj.metadata.namespace)
      .filter((x) => x.metadata.ownerReferences?.some((ref) => ref.uid === obj.metadata.uid)))
      cascade(store, o);
  }
}

function parseBody(text: string): unknown {
  return text.trim().startsWith('{') || text.trim().startsWith('[') ? JSON.parse(text) : parseYaml(text);
}

/** API defaulting for the fields the controller simulation reads. */
function withDefaults(rt: ResourceType, obj: KObj): KObj {
  if (rt.kind === 'Namespace') return { ...obj, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
  if (rt.kind !== 'Deployment') return obj;
  const spec = { ...obj.spec } as Record<string, unknown>;
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  spec.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } };
  return { ...obj, spec };
}

function validate(rt: ResourceType, obj: KObj): HttpAnswer | undefined {
  if (rt.kind !== 'Deployment') return undefined;
  const spec = obj.spec as
    | {
        selector?: { matchLabels?: Record<string, string> };
        template?: { metadata?: { labels?: Record<string, string> }; spec?: { containers?: { name?: string; image?: string }[] } };
      }
    | undefined;
  const problems: string[] = [];
  const labels = spec?.template?.metadata?.labels ?? {};
  const selector = spec?.selector?.matchLabels;
  if (!selector) problems.push('spec.selector: Required value');
  else if (!Object.entries(selector).every(([k, v]) => labels[k] === v))
    problems.push('spec.template.metadata.labels: Invalid value: `selector` does not match template `labels`');
  const containers = spec?.template?.spec?.containers ?? [];
  if (containers.length === 0) problems.push('spec.template.spec.containers: Required value');
  containers.forEach((c, i) => {
    if (!c.image) problems.push(`spec.template.spec.containers[${i}].image: Required value`);
  });
  if (problems.length === 0) return undefined;
  return failure(422, `Deployment.apps "${obj.metadata.name}" is invalid: ${problems.join(', ')}`, {
    name: obj.metadata.name,
    group: 'apps',
    kind: 'Deployment',
  });
}

/**
 * Remove from `target` what `before` set and `after` no longer sets. Maps recurse; lists of
 * objects with a `name` (containers, ports) recurse by name; other values are left to the merge.
 */
function prune(target: Json, before: Json, after: Json): Json {
  if (!isMap(target) || !isMap(before)) return target;
  const out: Record<string, Json> = { ...target };
  const a = isMap(after) ? after : {};
  for (const [k, v] of Object.entries(before)) {
    if (!(k in a)) {
      delete out[k];
      continue;
    }
    const t = out[k];
    if (isMap(v) && t !== undefined) out[k] = prune(t, v, a[k] as Json);
    else if (Array.isArray(v) && Array.isArray(t) && Array.isArray(a[k])) out[k] = t.map((item) => pruneNamed(item, v, a[k] as Json[]));
  }
  return out;
}

function pruneNamed(item: Json, before: Json[], after: Json[]): Json {
  const name = isMap(item) ? item.name : undefined;
  if (typeof name !== 'string') return item;
  const b = before.find((x) => isMap(x) && x.name === name);
  const a = after.find((x) => isMap(x) && x.name === name);
  return b && a ? prune(item, b, a) : item;
}

const isMap = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
