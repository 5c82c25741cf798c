import { afterEach, describe, expect, it } from 'vitest';
import { DIGEST, harness, scheduledBodies } from './helpers.js';
import type { AcrFake } from '../../../src/sandbox/acr/fake.js';
import type { ScanRun } from '../../../src/services/ports.js';

let fake: AcrFake | undefined;
afterEach(async () => {
  fake?.assertNoUnexpectedCalls();
  await fake?.stop();
  fake = undefined;
});

const setup = async (...args: Parameters<typeof harness>) => {
  const h = await harness(...args);
  fake = h.fake;
  return h;
};

const target = (repository = 'tailspin-server', registry?: string) => ({
  registry: registry ?? 'tailspinacr.azurecr.io',
  repository,
  digest: DIGEST,
});

function done(r: { ok: boolean; value?: ScanRun }): Extract<ScanRun, { state: 'done' }> {
  expect(r.ok).toBe(true);
  expect(r.value?.state).toBe('done');
  return r.value as Extract<ScanRun, { state: 'done' }>;
}

describe('ACR scanner over HTTPS against the ARM fake', () => {
  it('schedules a Trivy run pinned by digest, polls it, and reads the report from the run log', async () => {
    const { acr } = await setup({ defaultPolls: 1 });
    const started = await acr.scanner.start(target());
    expect(started.ok).toBe(true);
    const runId = started.ok ? started.value.runId : '';

    expect(await acr.scanner.get(runId)).toEqual({ ok: true, value: { state: 'running', runId } });
    const result = done(await acr.scanner.get(runId));
    expect(result.report).toMatchObject({ SchemaVersion: 2, ArtifactName: `tailspinacr.azurecr.io/tailspin-server@${DIGEST}` });

    const [body] = scheduledBodies(fake!);
    expect(body).toMatchObject({ type: 'EncodedTaskRunRequest', platform: { os: 'Linux', architecture: 'amd64' } });
    const task = Buffer.from(String(body!.encodedTaskContent), 'base64').toString('utf8');
    expect(task).toContain(`tailspinacr.azurecr.io/tailspin-server@${DIGEST}`);
    expect(task).toContain('--db-repository ghcr.io/aquasecurity/trivy-db:2');
    expect(task).toContain('--format json');
    expect(task).not.toMatch(/password|registry-token/i);
    expect(fake!.calls.map((c) => `${c.method} ${c.path.replace(/.*registries\/[^/]+/, '')}`)).toEqual([
      'POST /scheduleRun',
      `GET /runs/${runId}`,
      `GET /runs/${runId}`,
      `POST /runs/${runId}/listLogSasUrl`,
      `GET /logs/${runId}.log`,
    ]);
  });

  it('serves the failing report for a repository named vulnerable (the sandbox knob)', async () => {
    const { acr } = await setup();
    const started = await acr.scanner.start(target('vulnerable-app'));
    const result = done(await acr.scanner.get(started.ok ? started.value.runId : ''));
    expect(JSON.stringify(result.report)).toContain('"Severity":"CRITICAL"');
  });

  it('keeps answering running while ACR has not finished; the pipeline owns the deadline', async () => {
    const { acr } = await setup();
    fake!.scriptNextRun({ neverFinish: true });
    const started = await acr.scanner.start(target());
    const runId = started.ok ? started.value.runId : '';
    for (let i = 0; i < 3; i++) expect(await acr.scanner.get(runId)).toEqual({ ok: true, value: { state: 'running', runId } });
  });

  it('maps 429 to rate-limited with Retry-After in seconds or as an HTTP date', async () => {
    const now = new Date('2026-11-05T10:00:00Z');
    const { acr } = await setup({}, { clock: { now: () => now } });
    fake!.throttleNext(1, '7');
    const first = await acr.scanner.start(target());
    expect(first).toMatchObject({ ok: false, error: { kind: 'rate-limited', status: 429, retryAfterMs: 7000, system: 'acr' } });

    fake!.throttleNext(1, new Date(now.getTime() + 12_000).toUTCString());
    const second = await acr.scanner.start(target());
    expect(second).toMatchObject({ ok: false, error: { kind: 'rate-limited', retryAfterMs: 12_000 } });
    expect((await acr.scanner.start(target())).ok).toBe(true);
  });

  it('reports a failed run with its reason and log link', async () => {
    const { acr } = await setup();
    fake!.scriptNextRun({ outcome: 'Failed', errorMessage: 'failed during run, err: exit status 1' });
    const started = await acr.scanner.start(target());
    const r = await acr.scanner.get(started.ok ? started.value.runId : '');
    expect(r).toMatchObject({ ok: true, value: { state: 'failed', reason: 'scan run Failed: failed during run, err: exit status 1' } });
    expect(r.ok && r.value.state === 'failed' && r.value.logUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/logs\/.+sig=/);
  });

  it('extracts the report from a noisy log (ANSI, CRLF, an earlier truncated attempt)', async () => {
    const { acr } = await setup();
    fake!.scriptNextRun({ log: 'noisy' });
    const started = await acr.scanner.start(target());
    done(await acr.scanner.get(started.ok ? started.value.runId : ''));
  });

  it.each([
    ['no-report', /no scan report/],
    ['truncated', /incomplete/],
  ] as const)('a succeeded run whose log is %s is a failed scan with a reason', async (log, reason) => {
    const { acr } = await setup();
    fake!.scriptNextRun({ log });
    const started = await acr.scanner.start(target());
    const r = await acr.scanner.get(started.ok ? started.value.runId : '');
    expect(r).toMatchObject({ ok: true, value: { state: 'failed', reason: expect.stringMatching(reason) } });
  });

  it('refuses an image outside the run registry without calling ARM', async () => {
    const { acr } = await setup();
    expect(await acr.scanner.start(target('tailspin-server', 'docker.io'))).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(fake!.calls).toHaveLength(0);
  });

  it('maps an unknown run to not-found', async () => {
    const { acr } = await setup();
    expect(await acr.scanner.get('zz99')).toMatchObject({ ok: false, error: { kind: 'not-found', status: 404 } });
  });
});
