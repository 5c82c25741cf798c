/**
 * The three patch flavours the Kubernetes API server accepts, as far as the deployer and kubectl use
 * them. Strategic merge knows the merge keys of the lists we touch (containers by name, …); any
 * other list is replaced whole, as the real server does for lists without a patchMergeKey.
 */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Field name → merge key, from the Kubernetes API types' patchMergeKey tags. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
  imagePullSecrets: 'name',
  conditions: 'type',
  hostAliases: 'ip',
};

export class PatchError extends Error {
  constructor(
    message: string,
    readonly code: 409 | 422 | 400 = 422,
  ) {
    super(message);
  }
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObj(patch)) return clone(patch);
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k] ?? null, v);
  }
  return out;
}

/** Strategic merge patch: maps merge, keyed lists merge by key, `$patch: delete` removes an element. */
export function strategicMerge(target: Json, patch: Json, field = ''): Json {
  if (Array.isArray(patch)) {
    const key = MERGE_KEYS[field];
    if (!key || !Array.isArray(target)) return clone(patch).filter((e) => !(isObj(e) && e.$patch === 'delete'));
    const out = target.map((e) => clone(e));
    for (const item of patch) {
      if (!isObj(item)) continue;
      const at = out.findIndex((e) => isObj(e) && e[key] === item[key]);
      if (item.$patch === 'delete') {
        if (at >= 0) out.splice(at, 1);
      } else if (at >= 0) out[at] = strategicMerge(out[at] ?? null, item);
      else out.push(strategicMerge(null, item));
    }
    return out;
  }
  if (!isObj(patch)) return clone(patch);
  if (patch.$patch === 'replace') return stripDirectives(patch);
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    // $setElementOrder/… and $retainKeys only reorder or prune; the store does not need them.
    if (k.startsWith('$')) continue;
    if (v === null) delete out[k];
    else out[k] = strategicMerge(out[k] ?? null, v, k);
  }
  return out;
}

function stripDirectives(o: Obj): Obj {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !k.startsWith('$')));
}

interface Op {
  op: string;
  path: string;
  value?: Json;
  from?: string;
}

/** RFC 6902 JSON patch (add, remove, replace, test, copy, move). */
export function jsonPatch(target: Json, ops: unknown): Json {
  if (!Array.isArray(ops)) throw new PatchError('json patch must be an array', 400);
  let doc = clone(target);
  for (const raw of ops as Op[]) {
    const path = parsePointer(raw.path);
    switch (raw.op) {
      case 'add':
        doc = put(doc, path, clone(raw.value ?? null), 'add');
        break;
      case 'replace':
        doc = put(doc, path, clone(raw.value ?? null), 'replace');
        break;
      case 'remove':
        doc = remove(doc, path);
        break;
      case 'test':
        if (JSON.stringify(get(doc, path)) !== JSON.stringify(raw.value)) throw new PatchError(`test failed at ${raw.path}`);
        break;
      case 'copy':
      case 'move': {
        const from = parsePointer(raw.from ?? '');
        const value = clone(get(doc, from) ?? null);
        if (raw.op === 'move') doc = remove(doc, from);
        doc = put(doc, path, value, 'add');
        break;
      }
      default:
        throw new PatchError(`unknown json patch op ${String(raw.op)}`, 400);
    }
  }
  return doc;
}

function parsePointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw new PatchError(`invalid JSON pointer ${p}`);
  return p
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function get(doc: Json, path: string[]): Json | undefined {
  let cur: Json | undefined = doc;
  for (const seg of path) {
    if (Array.isArray(cur)) cur = cur[Number(seg)];
    else if (isObj(cur)) cur = cur[seg];
    else return undefined;
  }
  return cur;
}

function put(doc: Json, path: string[], value: Json, mode: 'add' | 'replace'): Json {
  if (path.length === 0) return value;
  const parent = get(doc, path.slice(0, -1));
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(i) || i < 0 || i > parent.length) throw new PatchError(`index out of range at /${path.join('/')}`);
    if (mode === 'add') parent.splice(i, 0, value);
    else parent[i] = value;
  } else if (isObj(parent)) {
    if (mode === 'replace' && !(last in parent)) throw new PatchError(`replace of missing path /${path.join('/')}`);
    parent[last] = value;
  } else throw new PatchError(`missing parent for /${path.join('/')}`);
  return doc;
}

function remove(doc: Json, path: string[]): Json {
  const parent = get(doc, path.slice(0, -1));
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else if (isObj(parent) && last in parent) delete parent[last];
  else throw new PatchError(`remove of missing path /${path.join('/')}`);
  return doc;
}

export function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}
