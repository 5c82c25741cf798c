import { describe, expect, it } from 'vitest';
import { toAdapterError } from '../../../src/services/adapters/github/errors.js';

const clock = { now: () => new Date('2026-11-26T12:00:00Z') };
const nowS = Date.parse('2026-11-26T12:00:00Z') / 1000;
const failure = (status: number, headers: Record<string, string> = {}, data: unknown = { message: 'm' }) =>
  Object.assign(new Error('m'), { status, response: { headers, data } });

describe('toAdapterError', () => {
  it.each([
    [401, {}, 'auth', undefined],
    [403, {}, 'auth', undefined],
    [403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(nowS + 90) }, 'rate-limited', 90_000],
    [403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(nowS - 5) }, 'rate-limited', 1000],
    [403, { 'retry-after': '7' }, 'rate-limited', 7000],
    [429, {}, 'rate-limited', 60_000],
    [404, {}, 'not-found', undefined],
    [409, {}, 'conflict', undefined],
    [422, {}, 'invalid', undefined],
    [503, {}, 'transient', undefined],
  ] as const)('%i %o → %s', (status, headers, kind, retryAfterMs) => {
    const e = toAdapterError(failure(status, headers), clock);
    expect(e).toMatchObject({ system: 'github', kind, status });
    expect(e.retryAfterMs).toBe(retryAfterMs);
  });

  it("joins GitHub's errors[] into the message, object or string entries", () => {
    const body = {
      message: 'Validation Failed',
      errors: [{ resource: 'Issue', field: 'title', code: 'missing_field' }, { message: 'labels are too many' }, 'plain'],
    };
    expect(toAdapterError(failure(422, {}, body), clock).message).toBe(
      'Validation Failed: Issue title missing_field; labels are too many; plain',
    );
  });

  it('anything without an HTTP status is transient and keeps no request details', () => {
    const e = toAdapterError(
      Object.assign(new Error('socket hang up'), { request: { headers: { authorization: 'token secret' } } }),
      clock,
    );
    expect(e).toMatchObject({ kind: 'transient', message: 'socket hang up' });
    expect(JSON.stringify(e)).not.toContain('secret');
  });
});
