/**
 * Response objects shaped like GitHub's. Each starts from the operation's documented example in
 * the official description (so every required field is present with the right type) and is then
 * overlaid with the fake's state: ids, numbers, URLs pointing back at the fake, bodies.
 */
import type { GitHubSpec } from './spec.js';

type Json = Record<string, unknown>;

export interface RepoRef {
  owner: string;
  repo: string;
  /** https://127.0.0.1:port — where URLs in responses point. */
  base: string;
}

export interface IssueRecord {
  id: number;
  number: number;
  title: string;
  body: string | null;
  labels: string[];
  state: 'open' | 'closed';
  createdAt: string;
  updatedAt: string;
  comments: CommentRecord[];
}
export interface CommentRecord {
  id: number;
  body: string;
  createdAt: string;
}
export interface StatusRecord {
  id: number;
  sha: string;
  state: string;
  context: string;
  description: string | null;
  targetUrl: string | null;
  createdAt: string;
}
export interface DeploymentRecord {
  id: number;
  sha: string;
  ref: string;
  environment: string;
  description: string | null;
  payload: unknown;
  productionEnvironment: boolean;
  transientEnvironment: boolean;
  createdAt: string;
  statuses: DeploymentStatusRecord[];
}
export interface DeploymentStatusRecord {
  id: number;
  state: string;
  description: string;
  environmentUrl: string;
  logUrl: string;
  createdAt: string;
}

const repoUrl = (r: RepoRef): string => `${r.base}/repos/${r.owner}/${r.repo}`;
const htmlUrl = (r: RepoRef): string => `${r.base}/_sandbox/${r.owner}/${r.repo}`;

export function makeObjects(spec: GitHubSpec, r: RepoRef) {
  const user = (): Json => spec.example('issue').user as Json;
  const commitAt = (sha: string): Json => {
    const example = spec.example('commit-comparison').base_commit as Json;
    return { ...example, sha, url: `${repoUrl(r)}/commits/${sha}`, html_url: `${htmlUrl(r)}/commit/${sha}`, parents: [] };
  };
  return {
    /** GitHub's compare answer: the verdict and counts, the commits head has that base has not (a page of them), no files. */
    comparison: (
      c: { status: string; ahead: string[]; behindBy: number; base: string; head: string; mergeBase: string },
      basehead: string,
      page: string[],
    ): Json => ({
      ...spec.example('commit-comparison'),
      url: `${repoUrl(r)}/compare/${basehead}`,
      html_url: `${htmlUrl(r)}/compare/${basehead}`,
      permalink_url: `${htmlUrl(r)}/compare/${c.base}...${c.head}`,
      diff_url: `${htmlUrl(r)}/compare/${basehead}.diff`,
      patch_url: `${htmlUrl(r)}/compare/${basehead}.patch`,
      base_commit: commitAt(c.base),
      merge_base_commit: commitAt(c.mergeBase),
      status: c.status,
      ahead_by: c.ahead.length,
      behind_by: c.behindBy,
      total_commits: c.ahead.length,
      commits: page.map(commitAt),
      files: [],
    }),
    repository: (): Json => {
      return { ...spec.example('full-repository-default-response'), name: r.repo, full_name: `${r.owner}/${r.repo}`, url: repoUrl(r) };
    },
    issue: (i: IssueRecord): Json => {
      const o = spec.example('issue');
      delete o.pull_request;
      const url = `${repoUrl(r)}/issues/${i.number}`;
      return {
        ...o,
        id: i.id,
        number: i.number,
        title: i.title,
        body: i.body,
        state: i.state,
        labels: i.labels.map((name, n) => ({
          ...(spec.example('issue').labels as Json[])[0],
          id: n + 1,
          name,
          url: `${repoUrl(r)}/labels/${name}`,
        })),
        assignee: null,
        assignees: [],
        milestone: null,
        comments: i.comments.length,
        closed_at: i.state === 'closed' ? i.updatedAt : null,
        closed_by: null,
        created_at: i.createdAt,
        updated_at: i.updatedAt,
        url,
        comments_url: `${url}/comments`,
        html_url: `${htmlUrl(r)}/issues/${i.number}`,
        repository_url: repoUrl(r),
      };
    },
    comment: (issueNumber: number, c: CommentRecord): Json => {
      return {
        ...spec.example('issue-comment'),
        id: c.id,
        body: c.body,
        user: user(),
        created_at: c.createdAt,
        updated_at: c.createdAt,
        url: `${repoUrl(r)}/issues/comments/${c.id}`,
        html_url: `${htmlUrl(r)}/issues/${issueNumber}#issuecomment-${c.id}`,
        issue_url: `${repoUrl(r)}/issues/${issueNumber}`,
      };
    },
    status: (s: StatusRecord): Json => {
      return {
        ...spec.example('status'),
        id: s.id,
        state: s.state,
        context: s.context,
        description: s.description,
        target_url: s.targetUrl,
        created_at: s.createdAt,
        updated_at: s.createdAt,
        url: `${repoUrl(r)}/statuses/${s.sha}`,
      };
    },
    deployment: (d: DeploymentRecord): Json => {
      const url = `${repoUrl(r)}/deployments/${d.id}`;
      return {
        ...spec.example('deployment'),
        id: d.id,
        sha: d.sha,
        ref: d.ref,
        environment: d.environment,
        original_environment: d.environment,
        description: d.description,
        payload: d.payload,
        production_environment: d.productionEnvironment,
        transient_environment: d.transientEnvironment,
        created_at: d.createdAt,
        updated_at: d.statuses.at(-1)?.createdAt ?? d.createdAt,
        url,
        statuses_url: `${url}/statuses`,
        repository_url: repoUrl(r),
      };
    },
    deploymentStatus: (d: DeploymentRecord, s: DeploymentStatusRecord): Json => {
      const url = `${repoUrl(r)}/deployments/${d.id}`;
      return {
        ...spec.example('deployment-status'),
        id: s.id,
        state: s.state,
        description: s.description,
        environment: d.environment,
        target_url: s.logUrl,
        log_url: s.logUrl,
        environment_url: s.environmentUrl,
        created_at: s.createdAt,
        updated_at: s.createdAt,
        url: `${url}/statuses/${s.id}`,
        deployment_url: url,
        repository_url: repoUrl(r),
      };
    },
  };
}
export type Objects = ReturnType<typeof makeObjects>;

/** A SARIF upload the fake received (code-scanning/upload-sarif), as get-sarif reports it. */
export interface SarifRecord {
  id: string;
  commitSha: string;
  ref: string;
  toolName?: string;
  /** From each run's automationDetails.id (the part before the last "/"), as code scanning reads it. */
  categories: string[];
  /** Every result: rule id and level. */
  results: { ruleId: string; level: string }[];
  sarif: unknown;
  reads: number;
  at: string;
  /** Processing ends `failed` with these errors instead of `complete`. */
  failWith?: string[];
}
