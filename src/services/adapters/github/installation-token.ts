/**
 * A short-lived GitHub App installation token for ACR builds of private repositories. It goes into
 * the build's git context URL only; the ACR adapter scrubs it from every error and log line.
 * @octokit/auth-app (behind Octokit's auth hook) caches it and mints a new one before the hour is up.
 */
import type { Logger } from '../../ports.js';
import type { GitHubAuth } from './client.js';

export function installationTokenSource(opts: {
  auth: GitHubAuth;
  baseUrl: string;
  ca?: string | undefined;
  logger: Logger;
}): (() => Promise<string>) | undefined {
  const { auth } = opts;
  if ('token' in auth) return undefined;
  let client: Promise<{ auth: (o: { type: 'installation' }) => Promise<unknown> }> | undefined;
  return async () => {
    client ??= import('./client.js').then((m) =>
      m.createOctokit({
        baseUrl: opts.baseUrl,
        auth,
        ...(opts.ca ? { ca: opts.ca } : {}),
        logger: opts.logger,
        userAgent: 'tailspin-deployer',
      }),
    );
    const minted = (await (await client).auth({ type: 'installation' })) as { token: string };
    return minted.token;
  };
}
