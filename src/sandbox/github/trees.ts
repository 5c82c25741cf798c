/**
 * Git trees and blobs for the fake: per commit, a flat list of files. Blob and tree SHAs are
 * computed the way git does (sha1 of "blob <len>\0<bytes>"), so equal content has equal SHAs.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export interface TreeFile {
  path: string;
  content: string;
}

export interface TreeEntry {
  path: string;
  mode: string;
  type: 'blob' | 'tree';
  sha: string;
  size?: number;
}

const gitSha = (kind: string, bytes: Buffer): string => createHash('sha1').update(`${kind} ${bytes.length}\0`).update(bytes).digest('hex');

export class TreeStore {
  private readonly commits = new Map<string, { treeSha: string; entries: TreeEntry[] }>();
  private readonly blobs = new Map<string, Buffer>();
  /** When set, any unknown 40-hex commit resolves to this commit's tree (the sandbox: pushes
   *  from recorded webhooks name commits the fake has never seen). Tests leave it unset. */
  fallbackCommit: string | undefined;

  setTree(commit: string, files: TreeFile[]): void {
    const entries: TreeEntry[] = [];
    const dirs = new Set<string>();
    for (const f of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
      const bytes = Buffer.from(f.content, 'utf8');
      const sha = gitSha('blob', bytes);
      this.blobs.set(sha, bytes);
      const parts = f.path.split('/');
      for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
      entries.push({ path: f.path, mode: '100644', type: 'blob', sha, size: bytes.length });
    }
    // Directory entries carry a stand-in SHA (git's real one needs the binary tree format).
    for (const d of dirs) entries.push({ path: d, mode: '040000', type: 'tree', sha: gitSha('tree', Buffer.from(d)) });
    entries.sort((a, b) => a.path.localeCompare(b.path));
    const treeSha = gitSha('tree', Buffer.from(JSON.stringify(entries)));
    this.commits.set(commit, { treeSha, entries });
  }

  /** Files under `dir` on disk, stored with paths prefixed by `prefix` (e.g. "k8s"). */
  seedFromDir(commit: string, dir: string, prefix: string): number {
    const files: TreeFile[] = [];
    const walk = (d: string): void => {
      for (const name of readdirSync(d)) {
        const full = join(d, name);
        if (statSync(full).isDirectory()) walk(full);
        else
          files.push({
            path: [prefix, relative(dir, full).split(sep).join('/')].filter(Boolean).join('/'),
            content: readFileSync(full, 'utf8'),
          });
      }
    };
    walk(dir);
    this.setTree(commit, files);
    return files.length;
  }

  /** The files of a known commit (not the fallback), as they were set. */
  files(commit: string): TreeFile[] | undefined {
    const found = this.commits.get(commit);
    return found?.entries.flatMap((e) => {
      const bytes = e.type === 'blob' ? this.blobs.get(e.sha) : undefined;
      return bytes ? [{ path: e.path, content: bytes.toString('utf8') }] : [];
    });
  }

  /** A commit SHA or the tree SHA of one resolves to its tree, as on GitHub. */
  tree(shaOrCommit: string, recursive: boolean): { sha: string; entries: TreeEntry[] } | undefined {
    const fallback = this.fallbackCommit && /^[0-9a-f]{40}$/.test(shaOrCommit) ? this.commits.get(this.fallbackCommit) : undefined;
    const found = this.commits.get(shaOrCommit) ?? [...this.commits.values()].find((t) => t.treeSha === shaOrCommit) ?? fallback;
    if (!found) return undefined;
    return { sha: found.treeSha, entries: recursive ? found.entries : found.entries.filter((e) => !e.path.includes('/')) };
  }

  blob(sha: string): Buffer | undefined {
    return this.blobs.get(sha);
  }
}
