/**
 * A pull token for one repository through ACR's token exchange
 * (https://github.com/Azure/acr/blob/main/docs/AAD-OAuth.md): AAD access token → POST /oauth2/exchange
 * → ACR refresh token → POST /oauth2/token (scope repository:<repo>:pull) → ACR access token.
 */
import type { TokenCredential } from '@azure/identity';
import { type Result, ok, err, adapterError } from '../../domain/result.js';
import type { Clock } from '../../ports.js';
import { fromStatus, invalid, type Redact } from './errors.js';
import type { HttpResponse, HttpSend } from './https.js';
import { AcrAccessToken, AcrRefreshToken } from './schema.js';

export interface RegistryTokenOptions {
  /** `myacr.azurecr.io`: the token `service`, whatever URL it is reached at. */
  loginServer: string;
  /** Base URL of the data plane, no trailing slash. */
  base: string;
  credential: TokenCredential;
  aadScope: string;
  send: HttpSend;
  clock: Clock;
  redact: Redact;
}

const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();

/** An HTTP answer that is not the one expected, as the Result's error (Retry-After kept). */
export const failed = (o: Pick<RegistryTokenOptions, 'redact' | 'clock'>, res: HttpResponse, what: string) =>
  err(fromStatus(res.status, what, o.redact, o.clock, res.headers['retry-after']));
const TOKEN_LIMIT_BYTES = 64 * 1024;

/** Throws only what send throws (network); HTTP answers come back as errors. */
export async function pullToken(o: RegistryTokenOptions, repository: string): Promise<Result<string>> {
  const post = (path: string, body: string) =>
    o.send({
      method: 'POST',
      url: `${o.base}${path}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      limitBytes: TOKEN_LIMIT_BYTES,
    });
  const aad = await o.credential.getToken(o.aadScope);
  if (!aad) return err(adapterError('acr', 'auth', 'no Entra token for the registry exchange'));
  const exchange = await post('/oauth2/exchange', form({ grant_type: 'access_token', service: o.loginServer, access_token: aad.token }));
  if (exchange.status !== 200) return failed(o, exchange, 'registry token exchange');
  const refresh = AcrRefreshToken.safeParse(safeJson(exchange.body));
  if (!refresh.success) return err(invalid('registry token exchange answered without a refresh_token'));
  const token = await post(
    '/oauth2/token',
    form({
      grant_type: 'refresh_token',
      service: o.loginServer,
      scope: `repository:${repository}:pull`,
      refresh_token: refresh.data.refresh_token,
    }),
  );
  if (token.status !== 200) return failed(o, token, 'registry access token');
  const access = AcrAccessToken.safeParse(safeJson(token.body));
  if (!access.success) return err(invalid('registry token endpoint answered without an access_token'));
  return ok(access.data.access_token);
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
