/**
 * ARM `importImage` on the fake registry: tags a manifest already in the registry (the deployer's
 * only use — promotion inside the registry, no pull or push through the function). The body is
 * validated against the operation's definitions from ACR's published REST description
 * (spec/import-image.json); the operation is long-running as in Azure (202 + Location, then 200).
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Ajv, type ValidateFunction } from 'ajv';
import { putTag } from './timed-tags.js';

export const IMPORT_API_VERSION = '2025-11-01';

interface ImportState {
  registryId: string;
  baseUrl: () => string;
  /** repository → tag → digest */
  tags: Map<string, Map<string, string>>;
  armError: (res: ServerResponse, status: number, code: string, message: string) => void;
  /** Import operations answered 202 whose status has not been read yet. */
  operations: Set<string>;
  /** Every import applied, in order (control API and tests). */
  imports: { source: string; targets: string[]; mode: string }[];
}

let validator: ValidateFunction | undefined;
function validateBody(body: unknown): string | undefined {
  if (!validator) {
    const spec = JSON.parse(readFileSync(new URL('./spec/import-image.json', import.meta.url), 'utf8')) as {
      definitions: Record<string, unknown>;
    };
    validator = new Ajv({ strict: false, allErrors: true }).compile({
      $ref: '#/definitions/ImportImageParameters',
      definitions: spec.definitions,
    });
  }
  if (validator(body)) return undefined;
  return (validator.errors ?? []).map((e) => `${e.instancePath || 'body'} ${e.message ?? 'is invalid'}`).join('; ');
}

// The distribution spec's grammar for repositories and tags.
const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

function splitTarget(t: string): { repository: string; tag: string } | undefined {
  const at = t.lastIndexOf(':');
  const [repository, tag] = at > 0 ? [t.slice(0, at), t.slice(at + 1)] : [t, 'latest'];
  return REPOSITORY.test(repository) && TAG.test(tag) ? { repository, tag } : undefined;
}

/** Answers `POST …/importImage` and its operation status; undefined when `rest` is neither. */
export function handleImport(s: ImportState, rest: string, req: IncomingMessage, url: URL, body: string, res: ServerResponse) {
  const op = /^\/operationResults\/([0-9a-f-]{36})$/.exec(rest);
  if (op && req.method === 'GET') {
    if (!s.operations.delete(op[1]!)) return (s.armError(res, 404, 'OperationNotFound', `operation ${op[1]} not found`), 404);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end();
    return 200;
  }
  if (rest !== '/importImage' || req.method !== 'POST') return undefined;
  if (url.searchParams.get('api-version') !== IMPORT_API_VERSION)
    return (s.armError(res, 400, 'InvalidApiVersionParameter', `api-version must be ${IMPORT_API_VERSION}`), 400);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body || 'null');
  } catch {
    return (s.armError(res, 400, 'InvalidRequestContent', 'the request body is not JSON'), 400);
  }
  const invalid = validateBody(parsed);
  if (invalid) return (s.armError(res, 400, 'InvalidRequestContent', `ImportImageParameters: ${invalid}`), 400);
  const p = parsed as { source: { resourceId?: string; registryUri?: string; sourceImage: string }; targetTags?: string[]; mode?: string };
  // Only imports within this registry are implemented: the deployer never imports from elsewhere.
  if (p.source.registryUri || (p.source.resourceId ?? '').toLowerCase() !== s.registryId.toLowerCase())
    return (s.armError(res, 400, 'InvalidParameters', 'the fake imports only within its own registry (source.resourceId)'), 400);
  const [srcRepo = '', ref = ''] = p.source.sourceImage.includes('@')
    ? p.source.sourceImage.split('@')
    : [p.source.sourceImage.split(':')[0], p.source.sourceImage.split(':')[1] ?? 'latest'];
  const known = s.tags.get(srcRepo);
  const digest = ref.startsWith('sha256:') ? ([...(known?.values() ?? [])].includes(ref) ? ref : undefined) : known?.get(ref);
  if (!digest) return (s.armError(res, 404, 'ResourceNotFound', `source image ${p.source.sourceImage} not found in the registry`), 404);
  const targets = (p.targetTags ?? []).map((t) => ({ t, split: splitTarget(t) }));
  const bad = targets.find((x) => !x.split);
  if (bad) return (s.armError(res, 400, 'InvalidParameters', `target tag '${bad.t}' is not repository[:tag]`), 400);
  const mode = p.mode ?? 'NoForce';
  if (mode === 'NoForce') {
    const taken = targets.find((x) => s.tags.get(x.split!.repository)?.has(x.split!.tag));
    if (taken) return (s.armError(res, 409, 'TagAlreadyExists', `target tag '${taken.t}' already exists (mode NoForce)`), 409);
  }
  for (const { split } of targets) {
    const { repository, tag } = split!;
    putTag(s.tags, repository, tag, digest);
  }
  s.imports.push({ source: p.source.sourceImage, targets: targets.map((x) => x.t), mode });
  const id = randomUUID();
  s.operations.add(id);
  res.writeHead(202, {
    location: `${s.baseUrl()}${s.registryId}/operationResults/${id}?api-version=${IMPORT_API_VERSION}`,
    'retry-after': '0',
  });
  res.end();
  return 202;
}
