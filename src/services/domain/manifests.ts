/**
 * What a manifest release may apply: namespaced objects of known kinds in the app namespace, parsed
 * within bounds from the YAML in k8s/ at a commit, whose pod templates meet the Pod Security Standards
 * level and whose exposure and images the catalog's manifest policy allows. Pure: files in, documents
 * and problems out; nothing an input contains makes it throw.
 */
import { TAILSPIN_MANIFEST_POLICY, type ManifestPolicy } from './catalog.js';
import { parseYamlFile, YAML_LIMITS, type YamlLimits } from './manifest-yaml.js';
import { checkManifestObject } from './pod-security.js';
import { DNS_LABEL } from './release.js';

export type K8sObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string } & Record<string, unknown>;
};

export interface ManifestProblem {
  path: string;
  document: number;
  object?: string;
  reason: string;
  /** For policy findings: the rule (e.g. pod-security:privileged) and the object's field it is about. */
  rule?: string;
  field?: string;
}

/** Where an object came from: its file and document (1-based), for reasons that name them. */
export interface ManifestOrigin {
  path: string;
  document: number;
}

export interface ManifestOptions {
  /** The catalog's manifest policy (Catalog.manifestPolicy); the built-in catalog's when absent. */
  policy?: ManifestPolicy;
  /** ACR_LOGIN_SERVER: every container image must come from it. Absent: images are not checked here. */
  registry?: string;
  limits?: YamlLimits;
}

/** Kinds the deployer's Role may apply (k8s/bootstrap/deployer-rbac.yaml). */
export const ALLOWED_KINDS = new Set([
  'Deployment',
  'Service',
  'ConfigMap',
  'ServiceAccount',
  'NetworkPolicy',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
]);
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'Node',
]);
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export function parseManifests(
  files: { path: string; content: string }[],
  namespace: string,
  options: ManifestOptions = {},
): { objects: K8sObject[]; problems: ManifestProblem[]; origins: ManifestOrigin[] } {
  const limits = options.limits ?? YAML_LIMITS;
  const rules = { policy: options.policy ?? TAILSPIN_MANIFEST_POLICY, ...(options.registry ? { registry: options.registry } : {}) };
  const objects: K8sObject[] = [];
  const origins: ManifestOrigin[] = [];
  const problems: ManifestProblem[] = [];
  let bytes = 0;
  let documents = 0;
  for (const f of files.filter((x) => /\.ya?ml$/i.test(x.path)).sort((a, b) => a.path.localeCompare(b.path))) {
    const size = Buffer.byteLength(f.content, 'utf8');
    if (size > limits.maxFileBytes) {
      problems.push({ path: f.path, document: 0, reason: `file is ${size} bytes, more than the ${limits.maxFileBytes} allowed` });
      continue;
    }
    bytes += size;
    if (bytes > limits.maxTotalBytes) {
      problems.push({ path: '(all)', document: 0, reason: `manifests are more than ${limits.maxTotalBytes} bytes together` });
      break;
    }
    const parsed = parseYamlFile(f.content, limits.maxDocuments - documents, limits);
    if (!parsed.ok) {
      problems.push({ path: f.path, document: parsed.document, reason: parsed.reason });
      if (parsed.document > limits.maxDocuments - documents) break; // the count is spent: later files cannot fit
      continue;
    }
    documents += parsed.documents.length;
    for (const d of parsed.documents) {
      const at = { path: f.path, document: d.document };
      if ('error' in d) {
        problems.push({ ...at, reason: d.error });
        continue;
      }
      if (d.value === null || d.value === undefined) continue; // an empty document between separators
      const verdict = checkObject(d.value, namespace);
      if ('reason' in verdict) {
        problems.push({ ...at, ...(verdict.object ? { object: verdict.object } : {}), reason: verdict.reason });
        continue;
      }
      objects.push(verdict.object);
      origins.push(at);
      const object = `${verdict.object.kind}/${verdict.object.metadata.name}`;
      for (const x of checkManifestObject(verdict.object, rules))
        problems.push({ ...at, object, rule: x.rule, field: x.field, reason: `${x.rule} at ${x.field}: ${x.message}` });
    }
  }
  if (objects.length === 0 && problems.length === 0) problems.push({ path: '(all)', document: 0, reason: 'no Kubernetes objects found' });
  const seen = new Set<string>();
  for (const o of objects) {
    const key = `${o.kind}/${o.metadata.name}`;
    if (seen.has(key)) problems.push({ path: '(all)', document: 0, object: key, reason: 'defined twice' });
    seen.add(key);
  }
  return { objects, problems, origins };
}

function checkObject(o: unknown, namespace: string): { object: K8sObject } | { reason: string; object?: string } {
  if (typeof o !== 'object' || Array.isArray(o) || o === null) return { reason: 'not a Kubernetes object (expected a mapping)' };
  const obj = o as Record<string, unknown>;
  const kind = typeof obj.kind === 'string' ? obj.kind : undefined;
  const meta = (typeof obj.metadata === 'object' && obj.metadata !== null ? obj.metadata : {}) as Record<string, unknown>;
  const name = typeof meta.name === 'string' ? meta.name : undefined;
  if (!kind || typeof obj.apiVersion !== 'string') return { reason: 'apiVersion and kind are required' };
  const label = `${kind}/${name ?? '?'}`;
  if (!name || !DNS_SUBDOMAIN.test(name)) return { object: label, reason: 'metadata.name must be a lowercase DNS name' };
  if (CLUSTER_SCOPED.has(kind))
    return { object: label, reason: `${kind} is cluster-scoped; the deployer only applies objects in namespace ${namespace}` };
  if (!ALLOWED_KINDS.has(kind))
    return { object: label, reason: `kind ${kind} is not on the allow-list (${[...ALLOWED_KINDS].join(', ')})` };
  const ns = meta.namespace;
  if (ns !== undefined && ns !== namespace)
    return { object: label, reason: `namespace must be ${namespace}, got ${typeof ns === 'string' ? ns : JSON.stringify(ns)}` };
  if (kind === 'Deployment' && !DNS_LABEL.test(name)) return { object: label, reason: 'Deployment names must be DNS labels' };
  return { object: { ...(obj as K8sObject), metadata: { ...meta, name, namespace } } };
}

/** Replace a container's image in a Deployment object (used to keep images pinned to verified digests). */
export function withContainerImage(o: K8sObject, container: string, image: string): K8sObject {
  const spec = o.spec as { template?: { spec?: { containers?: { name: string; image?: string }[] } } } | undefined;
  const containers = spec?.template?.spec?.containers;
  if (!containers?.some((c) => c.name === container)) return o;
  const copy = structuredClone(o);
  const cs = (copy.spec as typeof spec)?.template?.spec?.containers ?? [];
  for (const c of cs) if (c.name === container) c.image = image;
  return copy;
}

export const containerImageOf = (o: K8sObject, container: string): string | undefined =>
  (o.spec as { template?: { spec?: { containers?: { name: string; image?: string }[] } } } | undefined)?.template?.spec?.containers?.find(
    (c) => c.name === container,
  )?.image;
