/** What the GitHub adapter is built from (see ./from-config.ts for how settings become these). */
import type { Clock, Logger } from '../../ports.js';
import type { GitHubAuth } from './client.js';
import type { TreeLimits } from './tree.js';

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
