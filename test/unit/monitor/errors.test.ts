/** Mapping of SDK/identity failures to AdapterError kinds, on status, names and service codes only. */
import { describe, expect, it } from 'vitest';
import { mapMonitorError } from '../../../src/services/adapters/monitor/errors.js';
import { createTelemetry } from '../../../src/services/adapters/monitor/index.js';

const now = new Date('2026-01-01T00:00:00.000Z');

/** Shaped like @azure/core-rest-pipeline's RestError as createRestError builds it for this SDK. */
function restError(
  statusCode: number | undefined,
  body?: { error: { code?: string; message?: string } & Record<string, unknown> },
  headers: Record<string, string> = {},
) {
  const e = new Error(body?.error.message ?? 'boom') as Error & Record<string, unknown>;
  e.name = 'RestError';
  e.statusCode = statusCode;
  e.code = body?.error.code ?? (statusCode === undefined ? 'ECONNREFUSED' : undefined);
  e.details = body;
  e.request = { headers: { authorization: 'Bearer secret-token' } };
  e.response = { headers: { get: (n: string) => headers[n] } };
  return e;
}

describe('mapMonitorError', () => {
  it('400 → invalid, naming the service codes from outer to inner', () => {
    const e = mapMonitorError(
      restError(400, {
        error: {
          code: 'BadArgumentError',
          message: 'The request had some invalid properties',
          innererror: { code: 'SemanticError', message: 'x', innererror: { code: 'SEM0100', message: "Failed to resolve column 'Foo'" } },
        },
      }),
      now,
    );
    expect(e).toMatchObject({
      system: 'monitor',
      kind: 'invalid',
      status: 400,
      cause: { codes: ['BadArgumentError', 'SemanticError', 'SEM0100'] },
    });
    expect(e.message).toContain("Failed to resolve column 'Foo'");
    expect(JSON.stringify(e)).not.toContain('secret-token');
  });

  it.each([
    [401, 'auth'],
    [403, 'auth'],
    [404, 'not-found'],
    [500, 'transient'],
    [502, 'transient'],
    [503, 'transient'],
    [504, 'transient'],
  ] as const)('%i → %s', (status, kind) => {
    expect(mapMonitorError(restError(status, { error: { code: 'X', message: 'm' } }), now).kind).toBe(kind);
  });

  it('429 → rate-limited with Retry-After in seconds, as an HTTP date, or in ms', () => {
    expect(mapMonitorError(restError(429, undefined, { 'retry-after': '7' }), now)).toMatchObject({
      kind: 'rate-limited',
      retryAfterMs: 7000,
    });
    expect(mapMonitorError(restError(429, undefined, { 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }), now)).toMatchObject({
      retryAfterMs: 30_000,
    });
    expect(mapMonitorError(restError(429, undefined, { 'retry-after-ms': '1500', 'retry-after': '9' }), now)).toMatchObject({
      retryAfterMs: 1500,
    });
  });

  it('no HTTP answer, a timeout or an abort → transient', () => {
    expect(mapMonitorError(restError(undefined), now)).toMatchObject({
      kind: 'transient',
      message: expect.stringContaining('ECONNREFUSED'),
    });
    expect(mapMonitorError(new DOMException('timed out', 'TimeoutError'), now).kind).toBe('transient');
    const abort = new Error('The operation was aborted.');
    abort.name = 'AbortError';
    expect(mapMonitorError(abort, now).kind).toBe('transient');
  });

  it('no token from the identity → auth', () => {
    const e = new Error('ManagedIdentityCredential: unavailable');
    e.name = 'CredentialUnavailableError';
    expect(mapMonitorError(e, now).kind).toBe('auth');
  });
});

describe('createTelemetry input checks', () => {
  it('rejects hostile role names and versions as invalid without asking for a token or sending', async () => {
    let tokenAsked = 0;
    const telemetry = createTelemetry({
      workspaceId: '00000000-0000-0000-0000-000000000000',
      endpoint: 'https://127.0.0.1:9/v1', // discard port: a sent request would come back transient, not invalid
      credential: {
        getToken: () => {
          tokenAsked++;
          return Promise.resolve(null);
        },
      },
    });
    const from = new Date('2026-01-01T00:00:00Z');
    const to = new Date('2026-01-01T00:05:00Z');
    for (const q of [
      { roleName: "x' or 1==1 //", from, to },
      { roleName: 'ok', version: '"; drop', from, to },
      { roleName: 'a\nb', from, to },
      { roleName: 'ok', from: to, to: from },
    ]) {
      const r = await telemetry.requests(q);
      expect(r).toMatchObject({ ok: false, error: { kind: 'invalid', system: 'monitor' } });
    }
    expect(tokenAsked).toBe(0);
  });
});
