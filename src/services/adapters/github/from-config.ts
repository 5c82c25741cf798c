/**
 * GitHubSourceControlOptions from validated Config: a token, or a GitHub App installation;
 * undefined when neither is set. Imports no SDK: the adapter is loaded on first use.
 */
import type { Config } from '../../config.js';
import type { Clock, Logger } from '../../ports.js';
import type { GitHubAuth } from './client.js';
import type { GitHubSourceControlOptions } from './options.js';

type GitHubConfig = Pick<
  Config,
  | 'GITHUB_TOKEN'
  | 'GITHUB_APP_ID'
  | 'GITHUB_APP_PRIVATE_KEY'
  | 'GITHUB_APP_INSTALLATION_ID'
  | 'GITHUB_REPOSITORY'
  | 'GITHUB_API_URL'
  | 'GITHUB_CA_PEM'
>;

export function githubOptionsFromConfig(
  config: GitHubConfig,
  deps: { logger: Logger; clock: Clock },
): GitHubSourceControlOptions | undefined {
  const auth = githubAuthFromSettings(config);
  if (!auth) return undefined;
  return {
    repository: config.GITHUB_REPOSITORY,
    baseUrl: config.GITHUB_API_URL,
    auth,
    ...(config.GITHUB_CA_PEM ? { ca: config.GITHUB_CA_PEM } : {}),
    ...deps,
  };
}

/** Auth from settings: a token wins; else a complete GitHub App triple; else undefined (not configured). */
export function githubAuthFromSettings(
  c: Partial<Pick<Config, 'GITHUB_TOKEN' | 'GITHUB_APP_ID' | 'GITHUB_APP_PRIVATE_KEY' | 'GITHUB_APP_INSTALLATION_ID'>>,
): GitHubAuth | undefined {
  if (c.GITHUB_TOKEN) return { token: c.GITHUB_TOKEN };
  if (c.GITHUB_APP_ID && c.GITHUB_APP_PRIVATE_KEY && c.GITHUB_APP_INSTALLATION_ID) {
    // Key Vault references and env vars often carry the PEM with literal "\n".
    return {
      appId: c.GITHUB_APP_ID,
      privateKey: c.GITHUB_APP_PRIVATE_KEY.replace(/\\n/g, '\n'),
      installationId: c.GITHUB_APP_INSTALLATION_ID,
    };
  }
  return undefined;
}
