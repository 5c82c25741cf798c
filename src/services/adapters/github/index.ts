/**
 * The SourceControl port on GitHub's REST API (@octokit/rest): commit statuses, deployments,
 * ensure-issue and reading manifests at a commit. Auth is a token or a GitHub App installation.
 */
import type { Config } from '../../config.js';
import type { Clock, Logger, SourceControl } from '../../ports.js';
import { silentLogger } from '../../logger.js';
import { attempt, parse, type GitHubContext } from './context.js';
import { createOctokit, type GitHubAuth } from './client.js';
import { ensureIssue } from './issues.js';
import { RateLimit } from './schema.js';
import { createDeployment, setCommitStatus, setDeploymentStatus } from './statuses.js';
import { DEFAULT_TREE_LIMITS, readTree, type TreeLimits } from './tree.js';

export type { GitHubAuth } from './client.js';
export { fetchTrusting } from './client.js';
export { DEPLOYER_LABEL } from './issues.js';

export interface GitHubSourceControlOptions {
  /** "owner/name" (GITHUB_REPOSITORY). */
  repository: string;
  /** GITHUB_API_URL; GitHub Enterprise Server uses https://host/api/v3. */
  baseUrl?: string;
  auth: GitHubAuth;
  /** Replaces the HTTP layer entirely (tests, proxies). */
  request?: { fetch?: typeof globalThis.fetch };
  /** PEM of a CA to trust (the sandbox's); used when no `request.fetch` is given. */
  ca?: string;
  logger?: Logger;
  clock?: Clock;
  userAgent?: string;
  treeLimits?: Partial<TreeLimits>;
}

export function createGitHubSourceControl(opts: GitHubSourceControlOptions): SourceControl {
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

  return {
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
}

const noop = (): void => undefined;

/** Auth from settings: a token wins; else a complete GitHub App triple; else undefined (not configured). */
export function githubAuthFromSettings(s: {
  GITHUB_TOKEN?: string;
  GITHUB_APP_ID?: string;
  GITHUB_APP_PRIVATE_KEY?: string;
  GITHUB_APP_INSTALLATION_ID?: string;
}): GitHubAuth | undefined {
  if (s.GITHUB_TOKEN) return { token: s.GITHUB_TOKEN };
  if (s.GITHUB_APP_ID && s.GITHUB_APP_PRIVATE_KEY && s.GITHUB_APP_INSTALLATION_ID) {
    return { appId: s.GITHUB_APP_ID, privateKey: s.GITHUB_APP_PRIVATE_KEY, installationId: s.GITHUB_APP_INSTALLATION_ID };
  }
  return undefined;
}

/**
 * Options from validated config, or undefined when no GitHub credential is configured (the
 * composition root then decides: sandbox, or a SourceControl that reports "not configured").
 */
export function githubOptionsFromConfig(
  c: Pick<
    Config,
    | 'GITHUB_REPOSITORY'
    | 'GITHUB_API_URL'
    | 'GITHUB_TOKEN'
    | 'GITHUB_APP_ID'
    | 'GITHUB_APP_PRIVATE_KEY'
    | 'GITHUB_APP_INSTALLATION_ID'
    | 'GITHUB_CA_PEM'
    | 'TAILSPIN_SERVICE_NAME'
  >,
  deps: { logger?: Logger; clock?: Clock } = {},
): GitHubSourceControlOptions | undefined {
  const auth = githubAuthFromSettings(c);
  if (!auth) return undefined;
  return {
    repository: c.GITHUB_REPOSITORY,
    baseUrl: c.GITHUB_API_URL,
    auth,
    ...(c.GITHUB_CA_PEM ? { ca: c.GITHUB_CA_PEM } : {}),
    userAgent: c.TAILSPIN_SERVICE_NAME,
    ...deps,
  };
}
