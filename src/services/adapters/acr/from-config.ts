/**
 * AcrOptions from validated Config, for the composition root. The credential is the managed
 * identity in Azure; ACR_STATIC_TOKEN (sandbox only) replaces it with a fixed bearer token.
 */
import type { AccessToken, TokenCredential } from '@azure/identity';
import type { Config } from '../../config.js';
import type { Clock, Logger } from '../../ports.js';
import type { AcrOptions } from './options.js';
import type { SourceToken } from './builder.js';

export function staticTokenCredential(token: string): TokenCredential {
  // An hour ahead, renewed on every call: the SDK's token cache never sees it expire.
  return { getToken: (): Promise<AccessToken> => Promise.resolve({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) };
}

export function acrOptionsFromConfig(
  config: Config,
  deps: { credential?: TokenCredential; logger: Logger; clock?: Clock; sourceToken?: SourceToken },
): AcrOptions | undefined {
  if (!config.ACR_RESOURCE_ID) return undefined;
  const credential = config.ACR_STATIC_TOKEN ? staticTokenCredential(config.ACR_STATIC_TOKEN) : deps.credential;
  if (!credential) throw new Error('ACR adapter needs a credential (managed identity) or ACR_STATIC_TOKEN');
  return {
    registryResourceId: config.ACR_RESOURCE_ID,
    loginServer: config.ACR_LOGIN_SERVER,
    credential,
    endpoint: config.ACR_ARM_ENDPOINT ?? config.ARM_ENDPOINT,
    ...(config.ACR_REGISTRY_ENDPOINT ? { registryEndpoint: config.ACR_REGISTRY_ENDPOINT } : {}),
    ...(config.ACR_CA_PEM ? { tlsCa: config.ACR_CA_PEM } : {}),
    trivyImage: config.TRIVY_IMAGE,
    trivyDbRepository: config.TRIVY_DB_REPOSITORY,
    scanRunTimeoutSeconds: config.SCAN_DEADLINE_SECONDS,
    buildRunTimeoutSeconds: config.ACR_BUILD_TIMEOUT_SECONDS,
    ...(deps.sourceToken ? { sourceToken: deps.sourceToken } : {}),
    logger: deps.logger,
    ...(deps.clock ? { clock: deps.clock } : {}),
  };
}
