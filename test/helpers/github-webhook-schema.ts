/**
 * GitHub's own JSON schemas of webhook payloads (@octokit/openapi, `x-webhooks` of the dereferenced
 * description), compiled with ajv: what a test sends as a GitHub delivery must be what GitHub sends.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import { nullableForAjv } from '../../src/sandbox/github/spec.js';

type Json = Record<string, unknown>;
let doc: Json | undefined;

export function webhookSchema(name: string): ValidateFunction {
  doc ??= JSON.parse(
    readFileSync(createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.deref.json'), 'utf8'),
  ) as Json;
  const hooks = doc['x-webhooks'] as Record<string, { post: { requestBody: { content: Record<string, { schema: Json }> } } }>;
  const schema = structuredClone(hooks[name]?.post.requestBody.content['application/json']?.schema);
  if (!schema) throw new Error(`no webhook schema "${name}" in GitHub's description`);
  nullableForAjv(schema);
  return new Ajv({ strict: false, validateFormats: false, allErrors: true }).compile(schema);
}
