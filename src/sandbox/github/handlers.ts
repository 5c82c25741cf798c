/**
 * The fake's behaviour per operation, over in-memory state. Requests reaching here have already
 * been routed and validated against GitHub's description, so handlers trust their shapes.
 */
import type { OperationId } from './spec.js';
import type { DeploymentRecord, IssueRecord, Objects, StatusRecord } from './objects.js';
import type { TreeStore } from './trees.js';

type Json = Record<string, unknown>;

export interface Call {
  params: Record<string, string>;
  query: Record<string, string>;
  body: Json;
  /** The URL of this request without its query, for Link headers. */
  url: string;
  now: string;
}
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export class GitHubState {
  issues: IssueRecord[] = [];
  statuses: StatusRecord[] = [];
  deployments: DeploymentRecord[] = [];
  /** Largest page the fake serves; lower it to exercise pagination. GitHub's is 100. */
  maxPerPage = 100;
  private seq = 1000;
  nextId(): number {
    return ++this.seq;
  }
}

const notFound: Reply = { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' } };
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** GitHub pagination: `page`/`per_page` in, a Link header with next/last/prev/first out. */
function page<T>(items: T[], c: Call, max: number): { slice: T[]; headers: Record<string, string> } {
  const perPage = Math.min(Number(c.query.per_page ?? 30), max);
  const current = Math.max(1, Number(c.query.page ?? 1));
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (p: number, rel: string): string => {
    const q = new URLSearchParams({ ...c.query, page: String(p), per_page: String(perPage) });
    return `<${c.url}?${q.toString()}>; rel="${rel}"`;
  };
  const links = [
    ...(current > 1 ? [link(current - 1, 'prev')] : []),
    ...(current < last ? [link(current + 1, 'next'), link(last, 'last')] : []),
    ...(current > 1 ? [link(1, 'first')] : []),
  ];
  return { slice: items.slice((current - 1) * perPage, current * perPage), headers: links.length ? { link: links.join(', ') } : {} };
}

/** Operations answered by the Gate (token exchange, rate limit) rather than by state. */
type StateOperation = Exclude<OperationId, 'apps/create-installation-access-token' | 'rate-limit/get'>;

export function makeHandlers(s: GitHubState, o: Objects, trees: TreeStore): Record<StateOperation, (c: Call) => Reply> {
  const issueByNumber = (c: Call) => s.issues.find((i) => i.number === Number(c.params.issue_number));
  const deploymentById = (c: Call) => s.deployments.find((d) => d.id === Number(c.params.deployment_id));
  const statusesFor = (ref: string) => s.statuses.filter((x) => x.sha === ref).reverse();
  return {
    'repos/get': () => ({ status: 200, body: o.repository() }),

    'repos/create-commit-status': (c) => {
      const rec: StatusRecord = {
        id: s.nextId(),
        sha: c.params.sha ?? '',
        state: str(c.body.state) ?? '',
        context: str(c.body.context) ?? 'default',
        description: str(c.body.description) ?? null,
        targetUrl: str(c.body.target_url) ?? null,
        createdAt: c.now,
      };
      s.statuses.push(rec);
      return { status: 201, body: o.status(rec) };
    },
    'repos/list-commit-statuses-for-ref': (c) => {
      const p = page(statusesFor(c.params.ref ?? ''), c, s.maxPerPage);
      return { status: 200, body: p.slice.map(o.status), headers: p.headers };
    },
    'repos/get-combined-status-for-ref': (c) => {
      const latest = new Map<string, StatusRecord>();
      for (const x of statusesFor(c.params.ref ?? '')) if (!latest.has(x.context)) latest.set(x.context, x);
      const all = [...latest.values()];
      const state = all.some((x) => x.state === 'failure' || x.state === 'error')
        ? 'failure'
        : all.every((x) => x.state === 'success') && all.length
          ? 'success'
          : 'pending';
      return {
        status: 200,
        body: {
          state,
          sha: c.params.ref,
          total_count: all.length,
          statuses: all.map(o.status),
          repository: o.repository(),
          commit_url: c.url.replace(/\/status$/, ''),
          url: c.url,
        },
      };
    },

    'issues/create': (c) => {
      const labels = (Array.isArray(c.body.labels) ? c.body.labels : []).map((l) =>
        typeof l === 'string' ? l : (str((l as Json).name) ?? ''),
      );
      const rec: IssueRecord = {
        id: s.nextId(),
        number: s.issues.length + 1,
        title: String(c.body.title),
        body: str(c.body.body) ?? null,
        labels,
        state: 'open',
        createdAt: c.now,
        updatedAt: c.now,
        comments: [],
      };
      s.issues.push(rec);
      return { status: 201, body: o.issue(rec) };
    },
    'issues/list-for-repo': (c) => {
      const state = c.query.state ?? 'open';
      const wanted = (c.query.labels ?? '')
        .split(',')
        .map((l) => l.trim())
        .filter(Boolean);
      const hits = s.issues
        .filter((i) => state === 'all' || i.state === state)
        .filter((i) => wanted.every((l) => i.labels.includes(l)))
        .sort((a, b) => (c.query.direction === 'asc' ? a.number - b.number : b.number - a.number));
      const p = page(hits, c, s.maxPerPage);
      return { status: 200, body: p.slice.map(o.issue), headers: p.headers };
    },
    'issues/get': (c) => {
      const i = issueByNumber(c);
      return i ? { status: 200, body: o.issue(i) } : notFound;
    },
    'issues/update': (c) => {
      const i = issueByNumber(c);
      if (!i) return notFound;
      if (c.body.state === 'open' || c.body.state === 'closed') i.state = c.body.state;
      if (typeof c.body.title === 'string') i.title = c.body.title;
      if (typeof c.body.body === 'string') i.body = c.body.body;
      i.updatedAt = c.now;
      return { status: 200, body: o.issue(i) };
    },
    'issues/create-comment': (c) => {
      const i = issueByNumber(c);
      if (!i) return notFound;
      const rec = { id: s.nextId(), body: String(c.body.body), createdAt: c.now };
      i.comments.push(rec);
      i.updatedAt = c.now;
      return { status: 201, body: o.comment(i.number, rec) };
    },
    'issues/list-comments': (c) => {
      const i = issueByNumber(c);
      if (!i) return notFound;
      const p = page(i.comments, c, s.maxPerPage);
      return { status: 200, body: p.slice.map((x) => o.comment(i.number, x)), headers: p.headers };
    },

    'repos/create-deployment': (c) => {
      const ref = String(c.body.ref);
      const environment = str(c.body.environment) ?? 'production';
      const rec: DeploymentRecord = {
        id: s.nextId(),
        sha: /^[0-9a-f]{40}$/.test(ref) ? ref : '0'.repeat(40),
        ref,
        environment,
        description: str(c.body.description) ?? null,
        payload: c.body.payload ?? {},
        productionEnvironment:
          c.body.production_environment === true || (c.body.production_environment === undefined && environment === 'production'),
        transientEnvironment: c.body.transient_environment === true,
        createdAt: c.now,
        statuses: [],
      };
      s.deployments.push(rec);
      return { status: 201, body: o.deployment(rec) };
    },
    'repos/list-deployments': (c) => {
      const hits = s.deployments.filter((d) => !c.query.environment || d.environment === c.query.environment).reverse();
      const p = page(hits, c, s.maxPerPage);
      return { status: 200, body: p.slice.map(o.deployment), headers: p.headers };
    },
    'repos/get-deployment': (c) => {
      const d = deploymentById(c);
      return d ? { status: 200, body: o.deployment(d) } : notFound;
    },
    'repos/create-deployment-status': (c) => {
      const d = deploymentById(c);
      if (!d) return notFound;
      const rec = {
        id: s.nextId(),
        state: String(c.body.state),
        description: str(c.body.description) ?? '',
        environmentUrl: str(c.body.environment_url) ?? '',
        logUrl: str(c.body.log_url) ?? str(c.body.target_url) ?? '',
        createdAt: c.now,
      };
      // auto_inactive (default true): earlier successful deployments of this environment go inactive.
      if (rec.state === 'success' && c.body.auto_inactive !== false) {
        for (const other of s.deployments) {
          if (other !== d && other.environment === d.environment && other.statuses.at(-1)?.state === 'success') {
            other.statuses.push({ ...rec, id: s.nextId(), state: 'inactive', description: '' });
          }
        }
      }
      d.statuses.push(rec);
      return { status: 201, body: o.deploymentStatus(d, rec) };
    },
    'repos/list-deployment-statuses': (c) => {
      const d = deploymentById(c);
      if (!d) return notFound;
      const p = page([...d.statuses].reverse(), c, s.maxPerPage);
      return { status: 200, body: p.slice.map((x) => o.deploymentStatus(d, x)), headers: p.headers };
    },

    'git/get-tree': (c) => {
      const recursive = c.query.recursive !== undefined && c.query.recursive !== '0' && c.query.recursive !== 'false';
      const t = trees.tree(c.params.tree_sha ?? '', recursive);
      if (!t) return notFound;
      const base = c.url.replace(/\/git\/trees\/.*$/, '');
      const tree = t.entries.map((e) => ({ ...e, url: `${base}/git/${e.type === 'blob' ? 'blobs' : 'trees'}/${e.sha}` }));
      return { status: 200, body: { sha: t.sha, url: c.url, tree, truncated: false } };
    },
    'git/get-blob': (c) => {
      const bytes = trees.blob(c.params.file_sha ?? '');
      if (!bytes) return notFound;
      return {
        status: 200,
        body: {
          sha: c.params.file_sha,
          node_id: 'B_sandbox',
          size: bytes.length,
          url: c.url,
          content: bytes.toString('base64'),
          encoding: 'base64',
        },
      };
    },
  };
}
