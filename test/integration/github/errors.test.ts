import { describe, expect, it } from 'vitest';
import { sharedJson } from '../../helpers/fixtures.js';
import { COMMIT, expectUnexpectedCalls, fakeAndAdapter, value } from './harness.js';

describe('GitHub errors → AdapterError', () => {
  it('primary rate limit (403, remaining 0, reset) → rate-limited with the wait until reset', async () => {
    const now = new Date('2026-11-26T12:00:00Z');
    const { fake, gh } = await fakeAndAdapter({ now: () => now }, { clock: { now: () => now } });
    fake.rateLimitNext(1, 'primary', 120);
    const r = await gh.ping();
    expect(r).toMatchObject({ ok: false, error: { kind: 'rate-limited', status: 403, retryAfterMs: 120_000 } });
    expect(value(await gh.ping())).toMatchObject({ limit: 5000 });
  });

  it('secondary limits (403 or 429 with retry-after) → rate-limited with retry-after', async () => {
    const { fake, gh } = await fakeAndAdapter();
    fake.rateLimitNext(1, 'secondary', 30);
    expect(await gh.setCommitStatus(COMMIT, 'c', 'pending', 'd')).toMatchObject({
      ok: false,
      error: { kind: 'rate-limited', status: 403, retryAfterMs: 30_000 },
    });
    fake.rateLimitNext(1, '429', 5);
    expect(await gh.readTree(COMMIT, 'k8s')).toMatchObject({ ok: false, error: { kind: 'rate-limited', status: 429, retryAfterMs: 5000 } });
  });

  it("422 → invalid, carrying GitHub's errors[] (recorded body)", async () => {
    const { fake, gh } = await fakeAndAdapter();
    fake.respondNext('issues/create', {
      status: 422,
      body: sharedJson('github-api', 'octokit-fixtures__errors-422.response.extracted.json'),
    });
    const r = await gh.ensureIssue({ marker: 'm', title: 't', body: 'b', labels: ['x'] });
    expect(r).toMatchObject({ ok: false, error: { kind: 'invalid', status: 422, message: 'Validation Failed: Label color invalid' } });
  });

  it('5xx → transient; bad token → auth; unknown repository → not-found', async () => {
    const { fake, gh } = await fakeAndAdapter();
    fake.failNext(1, 502);
    expect(await gh.ping()).toMatchObject({ ok: false, error: { kind: 'transient', status: 502 } });
    fake.setToken('another-token');
    expect(await gh.ping()).toMatchObject({ ok: false, error: { kind: 'auth', status: 401, message: 'Bad credentials' } });
    fake.setToken('test-token-0123456789');
    fake.respondNext('git/get-tree', { status: 404, body: sharedJson('github-api', 'go-scm__error.json') });
    expect(await gh.readTree(COMMIT, 'k8s')).toMatchObject({ ok: false, error: { kind: 'not-found', status: 404, message: 'Not Found' } });
  });

  it('a network failure → transient, without leaking the request (no token in the error)', async () => {
    const { fake, gh } = await fakeAndAdapter();
    await fake.stop();
    const r = await gh.ping();
    expect(r).toMatchObject({ ok: false, error: { kind: 'transient' } });
    expect(JSON.stringify(r)).not.toContain('test-token');
  });
});

describe('the fake rejects what GitHub would', () => {
  it('a status with state "bogus" → 422 from schema validation, recorded as unexpected', async () => {
    expectUnexpectedCalls();
    const { fake, gh } = await fakeAndAdapter();
    const r = await gh.setCommitStatus(COMMIT, 'c', 'bogus' as 'pending', 'd');
    expect(r).toMatchObject({ ok: false, error: { kind: 'invalid', status: 422 } });
    expect(!r.ok && r.error.message).toMatch(/state must be equal to one of the allowed values/);
    expect(fake.unexpected).toEqual([expect.objectContaining({ method: 'post', reason: expect.stringContaining('invalid request') })]);
  });

  it('a route GitHub does not have (or the fake does not implement) → 404, recorded as unexpected', async () => {
    expectUnexpectedCalls();
    const { fake } = await fakeAndAdapter();
    const { fetchTrusting } = await import('../../../src/services/adapters/github/index.js');
    const res = await fetchTrusting(fake.ca)(`${fake.url}/search/issues?q=marker`, { headers: { authorization: 'token x' } });
    expect(res.status).toBe(404);
    expect(fake.unexpected).toEqual([{ method: 'get', path: '/search/issues', reason: 'no such route in the fake' }]);
  });
});

describe('logging', () => {
  it("routes the client's log lines through our logger and never writes the token", async () => {
    const { createLogger } = await import('../../../src/services/logger.js');
    const lines: string[] = [];
    const logger = createLogger({ service: 't', environment: 't', level: 'debug', sink: (l) => lines.push(l) });
    const { fake, gh } = await fakeAndAdapter({}, { logger });
    value(await gh.setCommitStatus(COMMIT, 'c', 'pending', 'd'));
    fake.setToken('rotated');
    await gh.ping();
    expect(lines.some((l) => l.includes('"adapter":"github"'))).toBe(true);
    expect(lines.join('\n')).not.toContain('test-token-0123456789');
  });
});
