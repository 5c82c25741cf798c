/**
 * What stands in front of the fake's handlers, like GitHub's edge: injected failures and rate
 * limits (the knobs), token checks, and GitHub App JWT → installation token exchange.
 */
import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import type { Reply } from './state.js';

export type RateLimitKind = 'primary' | 'secondary' | '429';

export interface AppOptions {
  appId: string | number;
  /** PEM of the App's public key (the test keeps the private half). */
  publicKey: string;
  installationId: number;
}

export class Gate {
  private failures: { n: number; status: number } = { n: 0, status: 500 };
  private limited: { n: number; kind: RateLimitKind; seconds: number } = { n: 0, kind: 'primary', seconds: 60 };
  /** GitHub down: every API call fails with `status` until `until` (ms since epoch; Infinity until switched off). */
  private down: { until: number; status: number } = { until: 0, status: 503 };
  private readonly installationTokens = new Set<string>();
  private readonly appKey: KeyObject | undefined;
  remaining = 5000;
  /** Installation tokens handed out, for tests to assert the adapter used one. */
  readonly issued: string[] = [];

  constructor(
    /** When set, every API call must carry this token (or an issued installation token). */
    public token: string | undefined,
    private readonly app: AppOptions | undefined,
    private readonly now: () => Date,
  ) {
    this.appKey = app ? createPublicKey(app.publicKey) : undefined;
  }

  failNext(n: number, status = 500): void {
    this.failures = { n, status };
  }

  rateLimitNext(n: number, kind: RateLimitKind = 'primary', seconds = 60): void {
    this.limited = { n, kind, seconds };
  }

  /** An outage of `seconds` (undefined: until switched off with `outage(false)`). */
  outage(on: boolean, seconds?: number, status = 503): void {
    this.down = { until: !on ? 0 : seconds === undefined ? Infinity : this.now().getTime() + seconds * 1000, status };
  }

  /** Injected trouble for this request, if any; failures and rate limits are consumed one at a time. */
  injected(): Reply | undefined {
    if (this.now().getTime() < this.down.until)
      return { status: this.down.status, body: { message: 'GitHub is unavailable (sandbox: outage)' } };
    if (this.failures.n > 0) {
      this.failures.n--;
      return { status: this.failures.status, body: { message: 'Server Error (sandbox: injected)' } };
    }
    if (this.limited.n <= 0) return undefined;
    this.limited.n--;
    const { kind, seconds } = this.limited;
    const reset = String(Math.floor(this.now().getTime() / 1000) + seconds);
    const docs = 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api';
    if (kind === 'primary') {
      return {
        status: 403,
        body: { message: 'API rate limit exceeded for installation.', documentation_url: docs },
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset, 'x-ratelimit-limit': '5000' },
      };
    }
    return {
      status: kind === '429' ? 429 : 403,
      body: {
        message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
        documentation_url: docs,
      },
      headers: { 'retry-after': String(seconds) },
    };
  }

  rateHeaders(): Record<string, string> {
    return {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': String(this.remaining),
      'x-ratelimit-used': String(5000 - this.remaining),
      'x-ratelimit-reset': String(Math.floor(this.now().getTime() / 1000) + 3600),
      'x-ratelimit-resource': 'core',
      'x-github-request-id': randomBytes(8).toString('hex').toUpperCase(),
    };
  }

  /** GET /rate_limit: free to call, so it does not count against `remaining`. */
  rateLimitReply(): Reply {
    const core = {
      limit: 5000,
      remaining: this.remaining,
      reset: Math.floor(this.now().getTime() / 1000) + 3600,
      used: 5000 - this.remaining,
    };
    return { status: 200, body: { resources: { core, search: { ...core, limit: 30, remaining: 30, used: 0 } }, rate: core } };
  }

  /** undefined when the Authorization header is acceptable for an ordinary API call. */
  checkToken(authorization: string | undefined): Reply | undefined {
    const presented = authorization?.replace(/^(token|bearer)\s+/i, '');
    if (this.token === undefined && this.app === undefined) return undefined;
    if (presented && (presented === this.token || this.installationTokens.has(presented))) return undefined;
    return { status: 401, body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' } };
  }

  /** POST /app/installations/{id}/access_tokens: RS256 JWT from the App's private key. */
  exchange(authorization: string | undefined, installationId: number): Reply {
    const jwt = /^bearer\s+(.+)$/i.exec(authorization ?? '')?.[1];
    if (!this.app || !this.appKey || !jwt)
      return this.checkToken(undefined) ?? { status: 401, body: { message: 'A JSON web token could not be decoded' } };
    const [head = '', payload = '', sig = ''] = jwt.split('.');
    const valid = verify('RSA-SHA256', Buffer.from(`${head}.${payload}`), this.appKey, Buffer.from(sig, 'base64url'));
    const claims = valid ? (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss?: unknown; exp?: number }) : {};
    const nowS = this.now().getTime() / 1000;
    if (!valid || String(claims.iss) !== String(this.app.appId) || (claims.exp ?? 0) < nowS) {
      return { status: 401, body: { message: 'A JSON web token could not be decoded', documentation_url: 'https://docs.github.com/rest' } };
    }
    if (installationId !== this.app.installationId) return { status: 404, body: { message: 'Not Found' } };
    const token = `ghs_${randomBytes(18).toString('hex')}`;
    this.installationTokens.add(token);
    this.issued.push(token);
    const expires = new Date(this.now().getTime() + 3600_000).toISOString();
    return {
      status: 201,
      body: {
        token,
        expires_at: expires,
        permissions: { issues: 'write', statuses: 'write', deployments: 'write', contents: 'read' },
        repository_selection: 'selected',
      },
    };
  }
}
