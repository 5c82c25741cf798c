/**
 * A pull token for one repository through ACR's token exchange
 * (https://github.com/Azure/acr/blob/main/docs/AAD-OAuth.md): AAD access token → POST /oauth2/exchange
 * → ACR refresh token → POST /oauth2/token (scope repository:<repo>:pull) → ACR access token.
 */
import type { TokenCredential } from '@azure/identity';
import { type Result, ok, err, adapterError } from '../../domain/result.js';
import type { Clock } from '../../ports.js';
import { fromStatus, invalid, type Redact } from './errors.js';
import type { HttpRequest, HttpResponse, HttpSend } from './https.js';
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

const post = (o: RegistryTokenOptions, path: string, body: string) =>
  o.send({
    method: 'POST',
    url: `${o.base}${path}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
    limitBytes: TOKEN_LIMIT_BYTES,
  });

/** AAD access token → POST /oauth2/exchange → ACR refresh token. Throws only what send throws (network). */
async function refreshToken(o: RegistryTokenOptions): Promise<Result<string>> {
  const aad = await o.credential.getToken(o.aadScope);
  if (!aad) return err(adapterError('acr', 'auth', 'no Entra token for the registry exchange'));
  const exchange = await post(o, '/oauth2/exchange', form({ grant_type: 'access_token', service: o.loginServer, access_token: aad.token }));
  if (exchange.status !== 200) return failed(o, exchange, 'registry token exchange');
  const refresh = AcrRefreshToken.safeParse(safeJson(exchange.body));
  if (!refresh.success) return err(invalid('registry token exchange answered without a refresh_token'));
  return ok(refresh.data.refresh_token);
}

/** ACR refresh token → POST /oauth2/token (scope repository:<repo>:pull) → ACR access token. */
async function accessToken(o: RegistryTokenOptions, refresh: string, repository: string): Promise<Result<string>> {
  const token = await post(
    o,
    '/oauth2/token',
    form({ grant_type: 'refresh_token', service: o.loginServer, scope: `repository:${repository}:pull`, refresh_token: refresh }),
  );
  if (token.status !== 200) return failed(o, token, 'registry access token');
  const access = AcrAccessToken.safeParse(safeJson(token.body));
  if (!access.success) return err(invalid('registry token endpoint answered without an access_token'));
  return ok(access.data.access_token);
}

/**
 * Pull tokens kept per repository until shortly before they expire, and the refresh token they come
 * from kept across repositories: reading one digest's labels and signatures, or several repositories,
 * costs one exchange, not one per read. Concurrent asks for one repository share one fetch.
 */
export interface RegistryTokens {
  pull(repository: string): Promise<Result<string>>;
  /** Drop a token the registry refused (revoked, or expired earlier than it said). */
  forget(repository: string, token: string): void;
}

/** A token is not used in its last minute (clock skew, a long request). */
const EXPIRY_MARGIN_MS = 60_000;
/** A token whose expiry cannot be read (not a JWT) is kept this long. */
const OPAQUE_TTL_MS = 60_000;

/** When a token stops being used: its JWT `exp` less the margin, or a minute for an opaque one. */
export function usableUntil(token: string, now: number): number {
  const payload = token.split('.')[1];
  const exp = payload ? (safeJson(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown } | undefined)?.exp : undefined;
  return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 - EXPIRY_MARGIN_MS : now + OPAQUE_TTL_MS;
}

interface Kept {
  token: string;
  until: number;
}

export function createRegistryTokens(o: RegistryTokenOptions): RegistryTokens {
  const access = new Map<string, Kept>();
  const inFlight = new Map<string, Promise<Result<string>>>();
  let refresh: Kept | undefined;
  const now = () => o.clock.now().getTime();
  const fresh = (k: Kept | undefined) => (k && k.until > now() ? k.token : undefined);

  async function fetchFor(repository: string): Promise<Result<string>> {
    let r = fresh(refresh);
    if (!r) {
      const got = await refreshToken(o);
      if (!got.ok) return got;
      refresh = { token: got.value, until: usableUntil(got.value, now()) };
      r = got.value;
    }
    let token = await accessToken(o, r, repository);
    // A kept refresh token the registry no longer takes: exchange once more.
    if (!token.ok && token.error.kind === 'auth' && refresh?.token === r) {
      refresh = undefined;
      const again = await refreshToken(o);
      if (!again.ok) return again;
      refresh = { token: again.value, until: usableUntil(again.value, now()) };
      token = await accessToken(o, again.value, repository);
    }
    if (token.ok) access.set(repository, { token: token.value, until: usableUntil(token.value, now()) });
    return token;
  }

  return {
    pull(repository) {
      const kept = fresh(access.get(repository));
      if (kept) return Promise.resolve(ok(kept));
      let p = inFlight.get(repository);
      if (!p) {
        p = fetchFor(repository).finally(() => inFlight.delete(repository));
        inFlight.set(repository, p);
      }
      return p;
    },
    forget(repository, token) {
      if (access.get(repository)?.token === token) access.delete(repository);
    },
  };
}

/**
 * `send` for one repository with its pull token. A 401 answer (a kept token the registry no longer
 * takes) drops that token and tries once more with a fresh one.
 */
export async function pullSend(tokens: RegistryTokens, send: HttpSend, repository: string): Promise<Result<HttpSend>> {
  const first = await tokens.pull(repository);
  if (!first.ok) return first;
  let token = first.value;
  const withToken = (req: HttpRequest) => send({ ...req, headers: { ...req.headers, authorization: `Bearer ${token}` } });
  return ok(async (req) => {
    const res = await withToken(req);
    if (res.status !== 401) return res;
    tokens.forget(repository, token);
    const again = await tokens.pull(repository);
    if (!again.ok || again.value === token) return res;
    token = again.value;
    return withToken(req);
  });
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
