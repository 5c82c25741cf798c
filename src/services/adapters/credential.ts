/**
 * The function app's managed identity (DefaultAzureCredential), loaded on the first token request
 * so that @azure/identity is not part of the cold start.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';

export function lazyDefaultCredential(): TokenCredential {
  let inner: Promise<TokenCredential> | undefined;
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      inner ??= import('@azure/identity').then(({ DefaultAzureCredential }) => new DefaultAzureCredential());
      return (await inner).getToken(scopes, options);
    },
  };
}
