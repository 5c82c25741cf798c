import { describe, expect, it } from 'vitest';
import { building } from '../../../../src/services/pipeline/steps/building.js';
import type { BuildRun } from '../../../../src/services/ports.js';
import { aRelease, at, ctx, digest, errR, fail, iso, okR, world } from '../world.js';

const build = aRelease({ kind: 'build', phase: 'building', image: undefined, progress: { buildRunId: 'cb1', buildStartedAt: iso(0) } });
const head = { app: 'tailspin-server', environment: 'dev', quarantined: [] };
const run = (r: BuildRun | 'error') =>
  world({ builder: { get: () => (r === 'error' ? errR(fail('rate-limited', 'slow', { retryAfterMs: 60_000 })) : okR(r)) } });

describe('building', () => {
  it('waits on ACR while the build runs, until the build deadline', async () => {
    expect(await building(ctx(build, run({ state: 'running', runId: 'cb1' }), at(100)))).toEqual({
      kind: 'wait',
      on: 'build',
      for: 'acr: build run cb1',
      deadline: at(2100),
      afterSeconds: 15,
    });
    expect(await building(ctx(build, run({ state: 'running', runId: 'cb1' }), at(2101)))).toEqual({
      kind: 'advance',
      to: 'failed',
      reason: 'build run cb1 did not finish within 2100 s',
      head,
    });
  });

  it('retries a rate-limited read after Retry-After before the deadline, and fails after it', async () => {
    expect(await building(ctx(build, run('error'), at(100)))).toEqual({
      kind: 'wait',
      on: 'build',
      for: 'acr: build run cb1',
      deadline: at(2100),
      afterSeconds: 60,
    });
    expect(await building(ctx(build, run('error'), at(2100)))).toEqual({
      kind: 'advance',
      to: 'failed',
      reason: 'build run cb1 could not be read: slow',
      head,
    });
  });

  it('a failed build fails the release with the reason', async () => {
    expect(await building(ctx(build, run({ state: 'failed', runId: 'cb1', reason: 'step 3 exited 1' })))).toEqual({
      kind: 'advance',
      to: 'failed',
      reason: 'build run cb1 failed: step 3 exited 1',
      outcome: { build: { runId: 'cb1', state: 'failed', reason: 'step 3 exited 1' } },
      head,
    });
  });

  it('a built image ends the build release; its push event starts the image release', async () => {
    const image = `tailspinacr.azurecr.io/tailspin-server:${'c'.repeat(40)}`;
    expect(await building(ctx(build, run({ state: 'succeeded', runId: 'cb1', digest: digest(3), image })))).toEqual({
      kind: 'advance',
      to: 'succeeded',
      reason: `image built by run cb1 (${digest(3)}); its ImagePushed event starts the image release`,
      outcome: { build: { runId: 'cb1', state: 'succeeded', digest: digest(3), image } },
      head,
    });
    expect(await building(ctx(build, run({ state: 'succeeded', runId: 'cb1' })))).toMatchObject({
      reason: 'image built by run cb1; its ImagePushed event starts the image release',
      outcome: { build: { runId: 'cb1', state: 'succeeded' } },
    });
  });
});
