/**
 * POST /_sandbox/commits: a person (or a test) puts files at a commit, so the walk-through can push
 * any manifest, hostile ones included, and watch the deployer judge it. The new commit starts from a
 * base commit's files (default: what unknown commits are served), changes the given paths (null
 * deletes one) and, unless a commit SHA is named, becomes what every unknown commit is served, so a
 * `send-event push` with its random SHA reads it.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Reply } from './state.js';
import type { TreeStore } from './trees.js';

export const CommitRequest = z.object({
  commit: z
    .string()
    .regex(/^[0-9a-f]{40}$/, 'a 40-hex commit SHA')
    .optional(),
  base: z
    .string()
    .regex(/^[0-9a-f]{40}$/, 'a 40-hex commit SHA')
    .optional(),
  files: z.record(z.string().min(1), z.string().nullable()),
});
export type CommitRequest = z.infer<typeof CommitRequest>;

export interface CommitResult {
  commit: string;
  files: number;
  servedForUnknownCommits: boolean;
}

export function putFiles(trees: TreeStore, req: CommitRequest): CommitResult | { error: string } {
  const base = req.base ?? trees.fallbackCommit;
  const start = base ? trees.files(base) : [];
  if (!start) return { error: `base commit ${base ?? ''} is not known to the sandbox` };
  const files = new Map(start.map((f) => [f.path, f.content]));
  for (const [path, content] of Object.entries(req.files)) {
    if (content === null) files.delete(path);
    else files.set(path, content);
  }
  const list = [...files].map(([path, content]) => ({ path, content }));
  const commit =
    req.commit ??
    createHash('sha1')
      .update(`${base ?? ''}\0${JSON.stringify(list)}\0${Date.now()}`)
      .digest('hex');
  trees.setTree(commit, list);
  if (!req.commit) trees.fallbackCommit = commit;
  return { commit, files: list.length, servedForUnknownCommits: !req.commit };
}

/** The control route's answer: 200 with the commit, 400 naming what is wrong with the request. */
export function commitsRoute(trees: TreeStore, body: string): Reply {
  let input: unknown;
  try {
    input = JSON.parse(body || '{}');
  } catch {
    return { status: 400, body: { error: 'body must be JSON: {"files": {"k8s/apps/x.yaml": "…"}, "commit"?, "base"?}' } };
  }
  const parsed = CommitRequest.safeParse(input);
  if (!parsed.success)
    return { status: 400, body: { error: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`) } };
  const result = putFiles(trees, parsed.data);
  return 'error' in result ? { status: 400, body: result } : { status: 200, body: result };
}
