/**
 * The fakes' own records (calls, queries, task runs) keep only the newest entries: `npm start` and the
 * in-flight bench run for hours, and an unbounded record grew the host's heap by about 2 MiB per 100
 * releases (bench/inflight.ts, issue #19). A small `recordLimit` shows the bound over the wire.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createTelemetry, staticTokenCredential } from '../../src/services/adapters/monitor/index.js';
import { startMonitorFake, type MonitorFake } from '../../src/sandbox/monitor/fake.js';
import { DIGEST, harness } from './acr/helpers.js';
import { fakeAndAdapter } from './github/harness.js';

const LIMIT = 5;
const TIMES = 12;
const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const stop of stops) await stop();
});

describe('sandbox fakes keep a bounded record', () => {
  it('the Log Analytics fake keeps the newest queries only', async () => {
    const fake: MonitorFake = await startMonitorFake({ token: 't0k3n-records', recordLimit: LIMIT });
    stops.push(() => fake.stop());
    const telemetry = createTelemetry({
      workspaceId: fake.workspaceId,
      endpoint: fake.endpoint,
      credential: staticTokenCredential('t0k3n-records'),
      tlsCa: fake.ca,
    });
    for (let i = 0; i < TIMES; i++) expect((await telemetry.ping()).ok).toBe(true);
    expect(fake.queries.length).toBeGreaterThan(0);
    expect(fake.queries.length).toBeLessThanOrEqual(LIMIT);
    expect(fake.queries.at(-1)?.status).toBe(200);
  }, 60_000);

  it('the ACR fake keeps the newest calls and task runs only; the newest run still answers', async () => {
    const { fake, acr } = await harness({ recordLimit: LIMIT });
    stops.push(() => fake.stop());
    const runIds: string[] = [];
    for (let i = 0; i < TIMES; i++) {
      const started = await acr.scanner.start({ registry: fake.loginServer, repository: 'tailspin-server', digest: DIGEST });
      if (!started.ok) throw new Error(JSON.stringify(started.error));
      runIds.push(started.value.runId);
    }
    expect(fake.calls.length).toBeLessThanOrEqual(LIMIT);
    expect((await acr.scanner.get(runIds.at(-1)!)).ok).toBe(true);
    const oldest = await acr.scanner.get(runIds[0]!);
    expect(oldest.ok ? 'found' : oldest.error.kind).toBe('not-found');
  });

  it('the GitHub fake keeps the newest calls only', async () => {
    const { fake, gh } = await fakeAndAdapter({ recordLimit: LIMIT });
    for (let i = 0; i < TIMES; i++) expect((await gh.ping()).ok).toBe(true);
    expect(fake.calls.length).toBeGreaterThan(0);
    expect(fake.calls.length).toBeLessThanOrEqual(LIMIT);
  });
});
