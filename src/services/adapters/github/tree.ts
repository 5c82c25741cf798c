/**
 * Files under a folder at a commit (manifest releases read `k8s/`): one recursive tree call, then
 * one blob call per file. Capped in count and size so a huge folder cannot exhaust a Function.
 */
import { adapterError, err, ok, type Result } from '../../domain/result.js';
import { attempt, parse, type GitHubContext } from './context.js';
import { GitBlob, GitTree } from './schema.js';

export interface TreeLimits {
  maxFiles: number;
  maxFileBytes: number;
  maxTotalBytes: number;
}
export const DEFAULT_TREE_LIMITS: TreeLimits = { maxFiles: 200, maxFileBytes: 1024 * 1024, maxTotalBytes: 8 * 1024 * 1024 };
const PARALLEL = 6;

export async function readTree(
  ctx: GitHubContext,
  commit: string,
  path: string,
  limits: TreeLimits,
): Promise<Result<{ path: string; content: string }[]>> {
  const prefix = path.replace(/^\/+|\/+$/g, '');
  const res = await attempt(ctx, 'get-tree', () =>
    ctx.octokit.rest.git.getTree({ owner: ctx.owner, repo: ctx.repo, tree_sha: commit, recursive: '1' }),
  );
  if (!res.ok) return res;
  const tree = parse(GitTree, res.value.data, 'get tree');
  if (!tree.ok) return tree;
  if (tree.value.truncated) return err(adapterError('github', 'invalid', `tree of ${commit} is too large for one call (truncated)`));
  const files = tree.value.tree.filter((e) => e.type === 'blob' && (prefix === '' || e.path.startsWith(`${prefix}/`)));
  if (files.length > limits.maxFiles)
    return err(adapterError('github', 'invalid', `${files.length} files under ${prefix}/ exceed the limit of ${limits.maxFiles}`));
  const total = files.reduce((n, f) => n + (f.size ?? 0), 0);
  const big = files.find((f) => (f.size ?? 0) > limits.maxFileBytes);
  if (big || total > limits.maxTotalBytes) {
    return err(
      adapterError(
        'github',
        'invalid',
        big ? `${big.path} exceeds ${limits.maxFileBytes} bytes` : `files under ${prefix}/ exceed ${limits.maxTotalBytes} bytes`,
      ),
    );
  }
  const out: { path: string; content: string }[] = [];
  for (let i = 0; i < files.length; i += PARALLEL) {
    const batch = await Promise.all(files.slice(i, i + PARALLEL).map((f) => readBlob(ctx, f.sha, f.path)));
    for (const r of batch) {
      if (!r.ok) return r;
      out.push(r.value);
    }
  }
  return ok(out.sort((a, b) => a.path.localeCompare(b.path)));
}

async function readBlob(ctx: GitHubContext, sha: string, path: string): Promise<Result<{ path: string; content: string }>> {
  const res = await attempt(ctx, 'get-blob', () => ctx.octokit.rest.git.getBlob({ owner: ctx.owner, repo: ctx.repo, file_sha: sha }));
  if (!res.ok) return res;
  const blob = parse(GitBlob, res.value.data, 'get blob');
  if (!blob.ok) return blob;
  const { content, encoding } = blob.value;
  const text = encoding === 'base64' ? Buffer.from(content, 'base64').toString('utf8') : content;
  return ok({ path, content: text });
}
