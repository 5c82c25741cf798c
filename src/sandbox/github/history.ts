/**
 * The fake's commit graph: commits with their parents and branches pointing at commits, so that
 * `GET /repos/{o}/{r}/compare/{base}...{head}` answers as GitHub does: `identical`, `behind` (head is
 * in base's history), `ahead` (base is in head's history) or `diverged`, with `ahead_by` / `behind_by`
 * counted over the commits one side has and the other has not. An unknown commit is 404 — unless the
 * sandbox asked to treat unknown commits as on a branch (`unknownOn`), the same convenience as its
 * tree fallback (webhooks sent by hand name commits the fake never saw).
 */
import type { Objects } from './objects.js';
import type { Handler, Reply } from './state.js';
import { notFound } from './state.js';

export class CommitGraph {
  private readonly parents = new Map<string, string[]>();
  private readonly branches = new Map<string, string>();
  /** When set, a 40-hex commit the graph does not know is answered as in this branch's history. */
  unknownOn: string | undefined;

  /** Add commits in order, each on top of the previous one (or `parent`); the branch, if named, moves to the last. */
  commit(shas: string[], opts: { parent?: string; branch?: string } = {}): void {
    let parent = opts.parent;
    for (const sha of shas) {
      this.parents.set(sha, parent ? [parent] : []);
      parent = sha;
    }
    if (opts.branch && parent) this.branches.set(opts.branch, parent);
  }

  merge(sha: string, parents: string[], branch?: string): void {
    this.parents.set(sha, parents);
    if (branch) this.branches.set(branch, sha);
  }

  /** A branch name or a known commit; undefined when neither. */
  resolve(ref: string): string | undefined {
    const branch = this.branches.get(ref.replace(/^refs\/heads\//, ''));
    if (branch) return branch;
    return this.parents.has(ref) ? ref : undefined;
  }

  /** Every commit reachable from `sha`, itself included, nearest first (breadth-first). */
  private history(sha: string): Set<string> {
    const seen = new Set<string>();
    const todo = [sha];
    for (let next = todo.shift(); next !== undefined; next = todo.shift()) {
      if (seen.has(next)) continue;
      seen.add(next);
      todo.push(...(this.parents.get(next) ?? []));
    }
    return seen;
  }

  compare(base: string, head: string): Comparison | undefined {
    const b = this.resolve(base);
    if (!b) return undefined;
    const h = this.resolve(head);
    if (!h) {
      // The sandbox's convenience: an unknown commit sits just below the branch's tip.
      const tip = this.unknownOn ? this.resolve(this.unknownOn) : undefined;
      if (!tip || !/^[0-9a-f]{40}$/.test(head)) return undefined;
      const onBase = this.history(b).has(tip);
      return onBase ? { status: 'behind', ahead: [], behindBy: 1, base: b, head, mergeBase: head } : undefined;
    }
    const inBase = this.history(b);
    const inHead = this.history(h);
    const ahead = [...inHead].filter((c) => !inBase.has(c));
    const behindBy = [...inBase].filter((c) => !inHead.has(c)).length;
    const mergeBase = [...inHead].find((c) => inBase.has(c)) ?? b;
    const status = b === h ? 'identical' : ahead.length === 0 ? 'behind' : behindBy === 0 ? 'ahead' : 'diverged';
    return { status, ahead, behindBy, base: b, head: h, mergeBase };
  }
}

export interface Comparison {
  status: 'identical' | 'behind' | 'ahead' | 'diverged';
  /** Commits head has that base has not, nearest to head first. */
  ahead: string[];
  behindBy: number;
  base: string;
  head: string;
  mergeBase: string;
}

export function historyHandlers(graph: CommitGraph, o: Objects): Record<'repos/compare-commits-with-basehead', Handler> {
  return {
    'repos/compare-commits-with-basehead': (c): Reply => {
      // basehead is "BASE...HEAD" (three dots; two dots are accepted by GitHub too).
      const m = /^(.+?)\.\.\.?(.+)$/.exec(c.params.basehead ?? '');
      const cmp = m ? graph.compare(m[1] ?? '', m[2] ?? '') : undefined;
      if (!cmp) return notFound;
      const perPage = Math.min(Number(c.query.per_page ?? 250), 250);
      const page = Math.max(1, Number(c.query.page ?? 1));
      return { status: 200, body: o.comparison(cmp, c.params.basehead ?? '', cmp.ahead.slice((page - 1) * perPage, page * perPage)) };
    },
  };
}
