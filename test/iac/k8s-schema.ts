// Validates Kubernetes manifests against the API server's own OpenAPI v3
// documents for the version AKS runs (infra: kubernetes_version).
//
// The documents ship inside the Go module k8s.io/kubernetes (api/openapi-spec/v3),
// which the Go module proxy serves: no schema is copied into this repository.
// Set K8S_OPENAPI_DIR to use another copy of that directory.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';

/** Patch release whose OpenAPI documents we validate against; its minor must match infra. */
export const K8S_VERSION = '1.35.4';

type Json = Record<string, unknown>;

function goModDir(): string {
  const mod = `k8s.io/kubernetes@v${K8S_VERSION}`;
  let out: string;
  try {
    // Cached after the first run (~18 MB zip); GOFLAGS=-mod=mod so no go.mod is needed.
    out = execFileSync('go', ['mod', 'download', '-json', mod], {
      encoding: 'utf8',
      env: { ...process.env, GOFLAGS: '-mod=mod' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 300_000,
    });
  } catch (err) {
    throw new Error(
      `Kubernetes OpenAPI documents unavailable: 'go mod download ${mod}' failed ` +
        `(${(err as Error).message.split('\n')[0]}). Install Go or set K8S_OPENAPI_DIR.`,
      { cause: err },
    );
  }
  return join((JSON.parse(out) as { Dir: string }).Dir, 'api', 'openapi-spec', 'v3');
}

export function openapiDir(): string {
  const dir = process.env.K8S_OPENAPI_DIR ?? goModDir();
  if (!existsSync(join(dir, 'api__v1_openapi.json'))) {
    throw new Error(`No Kubernetes OpenAPI v3 documents in ${dir}`);
  }
  return dir;
}

/** File holding a group/version: core "v1" → api__v1, "apps/v1" → apis__apps__v1. */
function docFile(apiVersion: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return group ? `apis__${group}__${version}_openapi.json` : `api__${version}_openapi.json`;
}

/**
 * Like kubeconform's -strict: an object schema that lists its properties rejects
 * any other key, so a misspelt field fails instead of being silently dropped.
 */
function strictify(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(strictify);
  if (!node || typeof node !== 'object') return;
  const obj = node as Json;
  if (obj.properties && obj.additionalProperties === undefined) obj.additionalProperties = false;
  Object.values(obj).forEach(strictify);
}

const int = (bits: number) => ({
  type: 'number' as const,
  validate: (n: number) => Number.isInteger(n) && Math.abs(n) <= 2 ** (bits - 1),
});

export class K8sSchemas {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly loaded = new Set<string>();
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(private readonly dir: string = openapiDir()) {
    this.ajv.addFormat('int32', int(32));
    this.ajv.addFormat('int64', int(64));
    // Formats the API server parses itself; their JSON type is still checked.
    for (const f of ['byte', 'date-time', 'double', 'int-or-string', 'float']) this.ajv.addFormat(f, true);
  }

  private load(file: string): Record<string, Json> {
    const doc = JSON.parse(readFileSync(join(this.dir, file), 'utf8')) as {
      components: { schemas: Record<string, Json> };
    };
    strictify(doc.components.schemas);
    const id = `k8s:${file}`;
    if (!this.loaded.has(id)) {
      this.ajv.addSchema({ $id: id, components: doc.components }, id);
      this.loaded.add(id);
    }
    return doc.components.schemas;
  }

  /** The validator for apiVersion+kind, or an error if the API has no such kind. */
  validatorFor(apiVersion: string, kind: string): ValidateFunction {
    const key = `${apiVersion}/${kind}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const file = docFile(apiVersion);
    if (!existsSync(join(this.dir, file))) throw new Error(`Unknown apiVersion ${apiVersion}`);
    const schemas = this.load(file);
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    const name = Object.keys(schemas).find((n) =>
      ((schemas[n]?.['x-kubernetes-group-version-kind'] as Json[] | undefined) ?? []).some(
        (g) => g.group === group && g.version === version && g.kind === kind,
      ),
    );
    if (!name) throw new Error(`Kubernetes ${K8S_VERSION} has no kind ${kind} in ${apiVersion}`);
    const fn = this.ajv.getSchema(`k8s:${file}#/components/schemas/${name}`);
    if (!fn) throw new Error(`Schema ${name} did not compile`);
    this.cache.set(key, fn);
    return fn;
  }

  /** Error messages for one manifest document; empty when valid. */
  validate(doc: Json): string[] {
    if (typeof doc.apiVersion !== 'string' || typeof doc.kind !== 'string') {
      return ['document has no apiVersion/kind'];
    }
    const fn = this.validatorFor(doc.apiVersion, doc.kind);
    if (fn(doc)) return [];
    return (fn.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`);
  }
}
