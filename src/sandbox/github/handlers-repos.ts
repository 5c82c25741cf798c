/** Repository, commit statuses, deployments and git data over the fake's state. */
import type { Call, GitHubState, Handler } from './state.js';
import { notFound, page, str } from './state.js';
import type { DeploymentRecord, Objects, StatusRecord } from './objects.js';
import type { TreeStore } from './trees.js';

type RepoOperation =
  | 'repos/get'
  | 'repos/create-commit-status'
  | 'repos/list-commit-statuses-for-ref'
  | 'repos/get-combined-status-for-ref'
  | 'repos/create-deployment'
  | 'repos/list-deployments'
  | 'repos/get-deployment'
  | 'repos/create-deployment-status'
  | 'repos/list-deployment-statuses'
  | 'git/get-tree'
  | 'git/get-blob';

export function repoHandlers(s: GitHubState, o: Objects, trees: TreeStore): Record<RepoOperation, Handler> {
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
