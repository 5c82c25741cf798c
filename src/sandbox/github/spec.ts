/**
 * GitHub's official REST description (@octokit/openapi), cut down to the operations the fake
 * implements. The schemas stay the real ones: only unused paths and unreferenced components are
 * dropped, because compiling validators for all ~1,100 operations takes ~17 s and one of them
 * trips ajv ("nullable" without "type").
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { OpenAPIBackend, type Document } from 'openapi-backend';

/** operationId → implemented. Anything else is routed to 404 and recorded as unexpected. */
export const OPERATIONS = [
  'apps/create-installation-access-token',
  'rate-limit/get',
  'repos/get',
  'repos/create-commit-status',
  'repos/list-commit-statuses-for-ref',
  'repos/get-combined-status-for-ref',
  'issues/create',
  'issues/list-for-repo',
  'issues/get',
  'issues/update',
  'issues/create-comment',
  'issues/list-comments',
  'repos/create-deployment',
  'repos/list-deployments',
  'repos/get-deployment',
  'repos/create-deployment-status',
  'repos/list-deployment-statuses',
  'git/get-tree',
  'git/get-blob',
  'code-scanning/upload-sarif',
  'code-scanning/get-sarif',
  'repos/compare-commits-with-basehead',
  // Promotion approvals from GitHub (./actions.ts)
  'actions/create-workflow-dispatch',
  'actions/list-workflow-runs',
  'actions/get-workflow-run',
  'actions/get-reviews-for-run',
  'actions/review-custom-gates-for-run',
  'teams/get-membership-for-user-in-org',
] as const;
export type OperationId = (typeof OPERATIONS)[number];

type Json = Record<string, unknown>;

export function strippedDocument(): Document {
  const path = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json');
  const full = JSON.parse(readFileSync(path, 'utf8')) as Json & { paths: Record<string, Json>; components: Record<string, Json> };
  const wanted = new Set<string>(OPERATIONS);
  const paths: Record<string, Json> = {};
  for (const [p, item] of Object.entries(full.paths)) {
    const kept: Json = {};
    for (const [method, op] of Object.entries(item)) {
      if (wanted.has((op as { operationId?: string }).operationId ?? '')) kept[method] = op;
    }
    if (Object.keys(kept).length > 0) paths[p] = kept;
  }
  const components: Record<string, Json> = {};
  const seen = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const ref = (node as { $ref?: unknown }).$ref;
    if (typeof ref === 'string' && ref.startsWith('#/components/') && !seen.has(ref)) {
      seen.add(ref);
      const [, , kind = '', name = ''] = ref.split('/');
      const target = full.components[kind]?.[name];
      (components[kind] ??= {})[name] = target;
      visit(target);
    }
    Object.values(node).forEach(visit);
  };
  visit(paths);
  nullableForAjv({ paths, components });
  // x-webhooks describes deliveries, not the API, and references schemas dropped above.
  const { ['x-webhooks']: _webhooks, ...rest } = full;
  return { ...rest, paths, components } as unknown as Document;
}

/**
 * Two OpenAPI 3.0 `nullable` idioms GitHub uses that ajv reads differently from GitHub:
 * beside allOf/anyOf without a `type` (ajv refuses the schema) → `anyOf: [schema, {type: 'null'}]`;
 * with an `enum` lacking null (ajv then rejects null, yet GitHub sends e.g. `state_reason: null`) → add null.
 */
export function nullableForAjv(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(nullableForAjv);
  if (!node || typeof node !== 'object') return;
  const o = node as Json;
  Object.values(o).forEach(nullableForAjv);
  if (o.nullable === true && Array.isArray(o.enum) && !o.enum.includes(null)) o.enum = [...(o.enum as unknown[]), null];
  if (o.nullable === true && o.type === undefined) {
    const { nullable: _n, ...schema } = o;
    for (const k of Object.keys(o)) delete o[k];
    o.anyOf = [schema, { type: 'null' }];
  }
}

export interface GitHubSpec {
  api: OpenAPIBackend;
  /** `components.examples[name].value`, deep-copied: the fake's response templates. */
  example(name: string): Json;
}

let shared: Promise<GitHubSpec> | undefined;

/**
 * One initialised backend per process (≈0.4–0.6 s: reading the 13 MB JSON dominates). Validators
 * compile lazily per operation (quick mode) because compiling all 19 eagerly costs ~8 s.
 * Routing is shared; each fake server dispatches matched operations to its own state.
 */
export function githubSpec(): Promise<GitHubSpec> {
  shared ??= (async () => {
    const definition = strippedDocument();
    const examples = (definition.components?.examples ?? {}) as Record<string, { value?: unknown }>;
    const api = new OpenAPIBackend({
      definition,
      strict: false,
      validate: true,
      quick: true,
      ajvOpts: { validateFormats: false },
    });
    await api.init();
    const example = (name: string): Json => {
      const value = examples[name]?.value;
      if (!value || typeof value !== 'object') throw new Error(`no example "${name}" in the GitHub description`);
      return structuredClone(value) as Json;
    };
    return { api, example };
  })();
  return shared;
}
