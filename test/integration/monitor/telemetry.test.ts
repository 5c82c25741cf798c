/**
 * The production Telemetry adapter (@azure/monitor-query-logs over HTTPS) against the Log Analytics
 * fake: exact numbers from simulated traffic, and every failure mode mapped to its AdapterError kind.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:https';
import { LogsQueryClient } from '@azure/monitor-query-logs';
import {
  buildRequestsQuery,
  createTelemetry,
  staticTokenCredential,
  type TokenCredential,
} from '../../../src/services/adapters/monitor/index.js';
import { startMonitorFake, type MonitorFake } from '../../../src/sandbox/monitor/fake.js';
import type { Telemetry } from '../../../src/services/ports.js';

const TOKEN = 'test-token-7f3a';
const T0 = new Date('2026-01-01T00:00:00.000Z');
const at = (min: number) => new Date(T0.getTime() + min * 60_000);
const DEPLOY = 60; // minutes after T0
let fake: MonitorFake;

const adapter = (over: { credential?: TokenCredential; timeoutMs?: number; workspaceId?: string } = {}): Telemetry =>
  createTelemetry({
    workspaceId: over.workspaceId ?? fake.workspaceId,
    endpoint: fake.endpoint,
    credential: over.credential ?? staticTokenCredential(TOKEN),
    tlsCa: fake.ca,
    ...(over.timeoutMs ? { timeoutMs: over.timeoutMs } : {}),
  });

beforeAll(async () => {
  fake = await startMonitorFake({ token: TOKEN, traffic: 'even' });
  fake.setProfile('tailspin-server', { rps: 5, errorRate: 0.002, p95Ms: 180 }, T0);
  fake.setProfile('tailspin-server', { rps: 5, errorRate: 0.05, p95Ms: 2500 }, at(DEPLOY)); // the bad release
  fake.setProfile('tailspin-client', { rps: 2, errorRate: 0, p95Ms: 90, version: 'v1' }, T0);
  fake.setProfile('tailspin-client', { rps: 2, errorRate: 0.01, p95Ms: 90, version: 'v2' }, at(DEPLOY));
  await adapter().ping(); // loads the Kusto service in the fake once, outside the timed tests
}, 60_000);
afterEach(() => {
  fake.setOutage('none');
  fake.setMissingColumns([]);
  expect(fake.unexpected).toEqual([]);
});
afterAll(() => fake.stop());

describe('numbers', () => {
  it('healthy window: exact counts, failures and P95', async () => {
    expect(await adapter().requests({ roleName: 'tailspin-server', from: at(DEPLOY - 5), to: at(DEPLOY) })).toEqual({
      ok: true,
      value: { requests: 1500, failures: 3, p95Ms: 180, retained: { requests: 1500, failures: 3 } },
    });
  });

  it('breach window after the deploy: 5 % errors, P95 2.5 s', async () => {
    expect(await adapter().requests({ roleName: 'tailspin-server', from: at(DEPLOY), to: at(DEPLOY + 5) })).toEqual({
      ok: true,
      value: { requests: 1500, failures: 75, p95Ms: 2500, retained: { requests: 1500, failures: 75 } },
    });
  });

  it('only requests inside [from, to) count: a window straddling the deploy mixes both', async () => {
    const r = await adapter().requests({ roleName: 'tailspin-server', from: at(DEPLOY - 2.5), to: at(DEPLOY + 2.5) });
    expect(r).toEqual({ ok: true, value: { requests: 1500, failures: 39, p95Ms: 2416.667, retained: { requests: 1500, failures: 39 } } });
    const shape = fake.queries.at(-1)?.shape;
    expect(shape).toEqual({ kind: 'requests', role: 'tailspin-server', from: at(DEPLOY - 2.5), to: at(DEPLOY + 2.5) });
    expect(fake.queries.at(-1)?.timespan).toBe(`${at(DEPLOY - 2.5).toISOString()}/${at(DEPLOY + 2.5).toISOString()}`);
  });

  it("the body timespan narrows the window like the service (intersection with the query's own filter)", async () => {
    const client = new LogsQueryClient(staticTokenCredential(TOKEN), {
      endpoint: fake.endpoint,
      tlsOptions: { ca: fake.ca },
      retryOptions: { maxRetries: 0 },
    });
    const text = buildRequestsQuery({ roleName: 'tailspin-server', from: at(DEPLOY - 10), to: at(DEPLOY + 10) });
    const r = await client.queryWorkspace(fake.workspaceId, text, { startTime: at(DEPLOY - 5), endTime: at(DEPLOY) });
    expect(r).toMatchObject({ status: 'Success', tables: [{ rows: [[1500, 3, 180, 1500, 3]] }] });
  });

  it('filters on version', async () => {
    const w = { roleName: 'tailspin-client', from: at(DEPLOY - 5), to: at(DEPLOY + 5) };
    expect(await adapter().requests({ ...w, version: 'v2' })).toEqual({
      ok: true,
      value: { requests: 600, failures: 6, p95Ms: 90, retained: { requests: 600, failures: 6 } },
    });
    expect(await adapter().requests({ ...w, version: 'v1' })).toEqual({
      ok: true,
      value: { requests: 600, failures: 0, p95Ms: 90, retained: { requests: 600, failures: 0 } },
    });
    expect(await adapter().requests(w)).toEqual({
      ok: true,
      value: { requests: 1200, failures: 6, p95Ms: 90, retained: { requests: 1200, failures: 6 } },
    });
  });

  it('slow requests above the P95 threshold, counted by the service when asked (exact in even traffic)', async () => {
    const q = { roleName: 'tailspin-server', slowAboveMs: 2000 };
    expect(await adapter().requests({ ...q, from: at(DEPLOY - 5), to: at(DEPLOY) })).toEqual({
      ok: true,
      value: { requests: 1500, failures: 3, slow: 0, p95Ms: 180, retained: { requests: 1500, failures: 3, slow: 0 } },
    });
    expect(await adapter().requests({ ...q, from: at(DEPLOY), to: at(DEPLOY + 5) })).toEqual({
      ok: true,
      value: { requests: 1500, failures: 75, slow: 525, p95Ms: 2500, retained: { requests: 1500, failures: 75, slow: 525 } },
    });
    expect(fake.queries.at(-1)?.shape).toMatchObject({ kind: 'requests', slowAboveMs: 2000 });
  });

  it('under Application Insights sampling, the retained rows come back beside the ItemCount-weighted sums', async () => {
    const sampled = await startMonitorFake({ token: TOKEN, traffic: 'random', seed: 'sampling' });
    try {
      sampled.setProfile('tailspin-server', { rps: 20, errorRate: 0.05, p95Ms: 2500, itemCount: 10 }, T0);
      const telemetry = createTelemetry({
        workspaceId: sampled.workspaceId,
        endpoint: sampled.endpoint,
        credential: staticTokenCredential(TOKEN),
        tlsCa: sampled.ca,
      });
      const r = await telemetry.requests({ roleName: 'tailspin-server', from: at(0), to: at(5), slowAboveMs: 2000 });
      if (!r.ok) throw new Error(r.error.message);
      const { requests, failures, slow, retained } = r.value;
      if (!retained) throw new Error('the adapter returned no retained-row counts');
      expect(retained.requests).toBeGreaterThan(0);
      expect([requests, failures, slow]).toEqual([10 * retained.requests, 10 * retained.failures, 10 * (retained.slow ?? -1)]);
      expect(sampled.queries.at(-1)?.result).toMatchObject({ retained });
    } finally {
      await sampled.stop();
    }
  });

  it('zero traffic → 0 requests and a null P95', async () => {
    expect(await adapter().requests({ roleName: 'nobody', from: at(0), to: at(5) })).toEqual({
      ok: true,
      value: { requests: 0, failures: 0, p95Ms: null, retained: { requests: 0, failures: 0 } },
    });
    expect(await adapter().requests({ roleName: 'tailspin-server', from: at(-10), to: at(0) })).toEqual({
      ok: true,
      value: { requests: 0, failures: 0, p95Ms: null, retained: { requests: 0, failures: 0 } },
    });
  });

  it('sends Prefer: wait and asks the service to stop when the client does', async () => {
    await adapter({ timeoutMs: 12_000 }).requests({ roleName: 'tailspin-server', from: at(0), to: at(1) });
    expect(fake.queries.at(-1)?.prefer).toBe('wait=12');
  });
});

describe('failures', () => {
  const q = { roleName: 'tailspin-server', from: at(0), to: at(5) };

  it('partial result → transient, never partial numbers', async () => {
    fake.setOutage('partial');
    const r = await adapter().requests(q);
    expect(r).toMatchObject({ ok: false, error: { kind: 'transient', system: 'monitor', cause: { codes: ['PartialError'] } } });
    expect(fake.queries.at(-1)?.status).toBe(200);
  });

  it('500 → transient', async () => {
    fake.setOutage('http500');
    expect(await adapter().requests(q)).toMatchObject({ ok: false, error: { kind: 'transient', status: 500 } });
  });

  it('429 → rate-limited with Retry-After', async () => {
    fake.setOutage('throttle');
    expect(await adapter().requests(q)).toMatchObject({ ok: false, error: { kind: 'rate-limited', status: 429, retryAfterMs: 7000 } });
  });

  it('a server that does not answer in time → transient (client deadline)', async () => {
    fake.setOutage('timeout');
    const started = Date.now();
    expect(await adapter({ timeoutMs: 400 }).requests(q)).toMatchObject({ ok: false, error: { kind: 'transient' } });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a query the service rejects (schema without ItemCount) → invalid, with the service error codes', async () => {
    fake.setMissingColumns(['ItemCount']);
    const r = await adapter().requests(q);
    expect(r).toMatchObject({
      ok: false,
      error: { kind: 'invalid', status: 400, cause: { codes: ['BadArgumentError', 'SemanticError', 'KS142'] } },
    });
    expect(r.ok || r.error.message).toContain('ItemCount');
  });

  it('a query shape the fake does not know → 400 (adapter and fake cannot drift silently)', async () => {
    const client = new LogsQueryClient(staticTokenCredential(TOKEN), {
      endpoint: fake.endpoint,
      tlsOptions: { ca: fake.ca },
      retryOptions: { maxRetries: 0 },
    });
    await expect(client.queryWorkspace(fake.workspaceId, 'AppRequests | count', { duration: 'PT5M' })).rejects.toMatchObject({
      statusCode: 400,
      code: 'BadArgumentError',
      details: { error: { innererror: { code: 'SandboxUnsupportedQuery' } } },
    });
  });

  it('auth: no token → 401, wrong token → 403, no credential at all → auth without a request', async () => {
    expect(await adapter({ credential: staticTokenCredential('') }).requests(q)).toMatchObject({
      ok: false,
      error: { kind: 'auth', status: 401 },
    });
    expect(await adapter({ credential: staticTokenCredential('wrong') }).requests(q)).toMatchObject({
      ok: false,
      error: { kind: 'auth', status: 403 },
    });
    const before = fake.queries.length;
    const unavailable: TokenCredential = {
      getToken: () => Promise.reject(Object.assign(new Error('no managed identity here'), { name: 'CredentialUnavailableError' })),
    };
    expect(await adapter({ credential: unavailable }).requests(q)).toMatchObject({ ok: false, error: { kind: 'auth' } });
    expect(fake.queries.length).toBe(before);
  });

  it('unknown workspace → not-found; ping ok on the right one', async () => {
    expect(await adapter({ workspaceId: '11111111-1111-1111-1111-111111111111' }).ping()).toMatchObject({
      ok: false,
      error: { kind: 'not-found' },
    });
    expect(await adapter().ping()).toEqual({ ok: true, value: { workspaceId: fake.workspaceId } });
  });
});

describe('control API', () => {
  it('GET /_sandbox shows profiles and recent queries; POST knobs change them', async () => {
    expect(
      await call('POST', '/_sandbox/profile', { role: 'curl-role', rps: 1, errorRate: 0.5, p95Ms: 100, from: at(0).toISOString() }),
    ).toMatchObject({ status: 200 });
    expect(await adapter().requests({ roleName: 'curl-role', from: at(0), to: at(1) })).toEqual({
      ok: true,
      value: { requests: 60, failures: 30, p95Ms: 100, retained: { requests: 60, failures: 30 } },
    });
    expect(await call('POST', '/_sandbox/outage', { outage: 'http500' })).toMatchObject({ status: 200 });
    expect((await adapter().ping()).ok).toBe(false);
    const state = await call('GET', '/_sandbox');
    expect(state.body).toMatchObject({ outage: 'http500', profiles: { 'curl-role': [{ rps: 1, errorRate: 0.5, p95Ms: 100 }] } });
    expect((state.body as { recentQueries: unknown[] }).recentQueries.length).toBeGreaterThan(0);
    expect(await call('POST', '/_sandbox/outage', { outage: 'sideways' })).toMatchObject({ status: 400 });
    expect(await call('POST', '/_sandbox/profile', { role: 'x', rps: -1, errorRate: 0, p95Ms: 1 })).toMatchObject({ status: 400 });
  });

  it('POST /_sandbox/traffic switches to seeded random traffic and back', async () => {
    const q = { roleName: 'tailspin-server', from: at(DEPLOY - 5), to: at(DEPLOY), slowAboveMs: 150 };
    try {
      expect(await call('POST', '/_sandbox/traffic', { mode: 'random', seed: 'it-1' })).toEqual({
        status: 200,
        body: { mode: 'random', seed: 'it-1' },
      });
      const first = await adapter().requests(q);
      expect(first.ok).toBe(true);
      const v = first.ok ? first.value : undefined;
      expect(v?.requests).not.toBe(1500); // Poisson, not evenly spread (1500 exactly has probability ≈ 1 %)
      expect(Math.abs((v?.requests ?? 0) - 1500)).toBeLessThan(4 * Math.sqrt(1500));
      expect(await adapter().requests(q)).toEqual(first); // the same requests every time it is asked
      await call('POST', '/_sandbox/traffic', { mode: 'random', seed: 'it-2' });
      expect(await adapter().requests(q)).not.toEqual(first);
      expect(await call('POST', '/_sandbox/traffic', { mode: 'sideways' })).toMatchObject({ status: 400 });
      expect((await call('GET', '/_sandbox')).body).toMatchObject({ traffic: { mode: 'random', seed: 'it-2' } });
    } finally {
      await call('POST', '/_sandbox/traffic', { mode: 'even' });
    }
    expect(await adapter().requests(q)).toEqual({
      ok: true,
      value: { requests: 1500, failures: 3, slow: 450, p95Ms: 180, retained: { requests: 1500, failures: 3, slow: 450 } },
    }); // residues 14..19 of 20 are above 150 ms
  });
});

function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(`${fake.url}${path}`, { method, ca: fake.ca, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
