/**
 * The SourceControl port on GitHub's REST API (@octokit/rest): commit statuses, deployments,
 * ensure-issue (and comments on it), reading manifests at a commit and where a commit stands against a branch. Auth is a token or a GitHub App installation.
 */
import type { CodeScanning, SourceControl } from '../../ports.js';
import type { GitHubSourceControlOptions } from './options.js';
import { silentLogger } from '../../logger.js';
import { attempt, parse, type GitHubContext } from './context.js';
import { createOctokit } from './client.js';
import { ensureIssue } from './issues.js';
import { RateLimit } from './schema.js';
import { createDeployment, setCommitStatus, setDeploymentStatus } from './statuses.js';
import { DEFAULT_TREE_LIMITS, readTree } from './tree.js';
import { codeScanningOver } from './code-scanning.js';
import { commentOnIssue, compareCommits } from './commits.js';
import { reviewsOver } from './reviews.js';
import type { GitHubReviews } from '../../promotion/github-port.js';

export type { GitHubSourceControlOptions } from './options.js';
export { githubAuthFromSettings } from './from-config.js';
export { fetchTrusting } from './client.js';

export function createGitHubSourceControl(opts: GitHubSourceControlOptions): SourceControl {
  return createGitHub(opts).source;
}

/** Code scanning uploads over the same client settings. */
export function createGitHubCodeScanning(opts: GitHubSourceControlOptions): CodeScanning {
  return createGitHub(opts).codeScanning;
}

/** The GitHub ports over one Octokit: one installation token, one retry and throttle state. */
export function createGitHub(opts: GitHubSourceControlOptions): {
  source: SourceControl;
  codeScanning: CodeScanning;
  reviews: GitHubReviews;
} {
  const [owner, repo] = opts.repository.split('/');
  if (!owner || !repo) throw new Error(`GITHUB_REPOSITORY must be "owner/name", got "${opts.repository}"`);
  const logger = (opts.logger ?? silentLogger).child({ adapter: 'github' });
  const octokit = createOctokit({
    baseUrl: opts.baseUrl ?? 'https://api.github.com',
    auth: opts.auth,
    fetch: opts.request?.fetch,
    ca: opts.ca,
    logger,
    userAgent: opts.userAgent ?? 'tailspin-deployer',
  });
  const ctx: GitHubContext = { octokit, owner, repo, clock: opts.clock ?? { now: () => new Date() }, logger };
  const limits = { ...DEFAULT_TREE_LIMITS, ...opts.treeLimits };
  // One ensureIssue per marker at a time in this process; across processes see settleRace.
  const inFlight = new Map<string, Promise<unknown>>();

  const source: SourceControl = {
    setCommitStatus: (commit, context, state, description, targetUrl) =>
      setCommitStatus(ctx, commit, context, state, description, targetUrl),
    ensureIssue: (req) => {
      const run = (inFlight.get(req.marker) ?? Promise.resolve()).then(() => ensureIssue(ctx, req));
      const settled = run.then(noop, noop).finally(() => {
        if (inFlight.get(req.marker) === settled) inFlight.delete(req.marker);
      });
      inFlight.set(req.marker, settled);
      return run;
    },
    commentOnIssue: (url, body) => commentOnIssue(ctx, url, body),
    compareCommits: (base, head) => compareCommits(ctx, base, head),
    createDeployment: (input) => createDeployment(ctx, input),
    setDeploymentStatus: (id, state, description, environmentUrl, logUrl) =>
      setDeploymentStatus(ctx, id, state, description, environmentUrl, logUrl),
    readTree: (commit, path) => readTree(ctx, commit, path, limits),
    // /rate_limit is free (not counted) and proves both reachability and the credential.
    ping: async () => {
      const res = await attempt(ctx, 'rate-limit', () => ctx.octokit.rest.rateLimit.get());
      if (!res.ok) return res;
      const rate = parse(RateLimit, res.value.data, 'rate limit');
      return rate.ok ? { ok: true, value: { remaining: rate.value.rate.remaining, limit: rate.value.rate.limit } } : rate;
    },
  };
  return { source, codeScanning: codeScanningOver(ctx), reviews: reviewsOver(ctx) };
}

const noop = (): void => undefined;
