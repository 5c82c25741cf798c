/**
 * Builds the Octokit client: token or GitHub App auth (installation tokens are minted, cached and
 * refreshed by @octokit/auth-app), an optional CA for the sandbox, and Octokit's own log lines
 * routed through our logger (they carry method, URL and status — never headers).
 */
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import type { Logger } from '../../ports.js';

export type GitHubAuth = { token: string } | { appId: string | number; privateKey: string; installationId: string | number };

export interface ClientOptions {
  baseUrl: string;
  auth: GitHubAuth;
  fetch?: typeof globalThis.fetch;
  /** PEM to trust in addition to nothing else (the sandbox CA); ignored when `fetch` is given. */
  ca?: string;
  logger: Logger;
  userAgent: string;
}

export function createOctokit(opts: ClientOptions): Octokit {
  const fetch = opts.fetch ?? (opts.ca ? fetchTrusting(opts.ca) : undefined);
  // Octokit calls log.debug("request", requestOptions) — the options carry the Authorization
  // header, so only the first argument is ever passed on. Its error lines repeat what the
  // adapter logs itself with the mapped kind, so they stay at debug.
  const log = {
    debug: (message: string) => opts.logger.debug('github request', { detail: message }),
    info: (message: string) => opts.logger.debug('github request', { detail: message }),
    warn: (message: string) => opts.logger.warn('github client warning', { detail: message }),
    error: (message: string) => opts.logger.debug('github request failed', { detail: message }),
  };
  const common = { baseUrl: opts.baseUrl.replace(/\/+$/, ''), userAgent: opts.userAgent, log, request: fetch ? { fetch } : {} };
  if ('token' in opts.auth) return new Octokit({ ...common, auth: opts.auth.token });
  return new Octokit({
    ...common,
    authStrategy: createAppAuth,
    auth: {
      appId: opts.auth.appId,
      // Key Vault and app settings often carry the PEM with literal "\n".
      privateKey: opts.auth.privateKey.replace(/\\n/g, '\n'),
      installationId: opts.auth.installationId,
    },
  });
}

/**
 * A fetch that trusts exactly this CA (the sandbox's throw-away one), built on undici's Agent.
 * undici is imported lazily so production, which uses the global fetch, never loads it.
 */
export function fetchTrusting(ca: string): typeof globalThis.fetch {
  let ready: Promise<typeof globalThis.fetch> | undefined;
  const load = async (): Promise<typeof globalThis.fetch> => {
    const undici = await import('undici');
    const dispatcher = new undici.Agent({ connect: { ca } });
    return ((input: Parameters<typeof globalThis.fetch>[0], init?: RequestInit) =>
      undici.fetch(input as Parameters<typeof undici.fetch>[0], { ...(init as object), dispatcher })) as unknown as typeof globalThis.fetch;
  };
  return async (input, init) => {
    ready ??= load();
    return (await ready)(input, init);
  };
}
