/** Version releases at their edges: every failure ends with its reason or waits with a deadline. */
import { describe, expect, it } from 'vitest';
import { versionBuilding, versionGate, versionQueued } from '../../../../src/services/pipeline/steps/version.js';
import { sharedJson } from '../../../helpers/fixtures.js';
import { aRelease, at, COMMIT, ctx, digest, errR, fail, okR, REGISTRY, world, type WorldScript } from '../world.js';

const version = (over = {}) =>
  aRelease({ kind: 'version', version: 'v1.2.3', image: undefined, source: { door: 'github', eventId: 'd-1' }, ...over });
const image = { registry: REGISTRY, repository: 'tailspin-server', digest: digest(1), tag: COMMIT };
const scanningVersion = (over = {}) => version({ phase: 'scanning', image, progress: { scanRunId: 's-1' }, ...over });
const clean = { ...sharedJson<Record<string, unknown>>('trivy', 'alpine-39-high-critical.json.golden'), Results: [] };
const LATE = at(10_000);

function w(s: WorldScript = {}, tags = true) {
  const ww = world({ scanCache: { get: () => Promise.resolve(undefined), put: () => Promise.resolve() }, ...s });
  if (tags) ww.d.tags = { tag: () => okR(undefined), revision: () => okR(undefined) };
  return ww;
}

describe('version releases: queued', () => {
  it('without a version or commit it fails at once', async () => {
    expect(await versionQueued(ctx(version({ version: undefined }), w()))).toMatchObject({ kind: 'advance', to: 'failed' });
  });
  it('a registry that fails is asked again, and at the deadline the release fails', async () => {
    const ww = w({ builder: { resolveTag: () => errR(fail('transient', '503')) } });
    expect(await versionQueued(ctx(version(), ww))).toMatchObject({ kind: 'wait', on: 'registry' });
    expect(await versionQueued(ctx(version(), ww, LATE))).toMatchObject({ kind: 'advance', to: 'failed' });
  });
  it('a build that cannot be scheduled fails with the reason', async () => {
    const ww = w({
      builder: { resolveTag: () => errR(fail('not-found', 'unknown')), start: () => errR(fail('invalid', 'bad request')) },
      store: { putHead: (h) => okR(h) },
    });
    expect(await versionQueued(ctx(version(), ww))).toMatchObject({
      kind: 'advance',
      to: 'failed',
      reason: expect.stringMatching(/bad request/) as unknown,
    });
  });
  it('a head that keeps changing is tried again before building', async () => {
    const ww = w({
      builder: { resolveTag: () => errR(fail('not-found', 'unknown')) },
      store: { putHead: () => Promise.resolve({ ok: false as const, error: 'conflict' as const }) },
    });
    expect(await versionQueued(ctx(version(), ww))).toMatchObject({ kind: 'wait' });
    expect(ww.callsTo('builder')).toEqual(['resolveTag']);
  });
});

describe('version releases: building', () => {
  const building = version({ phase: 'building', progress: { buildRunId: 'b-1' } });
  it('waits while the build runs, fails past the deadline', async () => {
    const ww = w({ builder: { get: () => okR({ state: 'running' as const, runId: 'b-1' }) } });
    expect(await versionBuilding(ctx(building, ww))).toMatchObject({ kind: 'wait', on: 'build' });
    expect(await versionBuilding(ctx(building, ww, LATE))).toMatchObject({ kind: 'advance', to: 'failed' });
  });
  it('a failed build, an unreadable run or one without a digest ends failed', async () => {
    const failed = w({ builder: { get: () => okR({ state: 'failed' as const, runId: 'b-1', reason: 'git fetch failed' }) } });
    expect(await versionBuilding(ctx(building, failed))).toMatchObject({ to: 'failed', outcome: { build: { state: 'failed' } } });
    const noDigest = w({ builder: { get: () => okR({ state: 'succeeded' as const, runId: 'b-1' }) } });
    expect(await versionBuilding(ctx(building, noDigest))).toMatchObject({
      to: 'failed',
      reason: expect.stringMatching(/no digest/) as unknown,
    });
    const unreadable = w({ builder: { get: () => errR(fail('auth', 'denied')) } });
    expect(await versionBuilding(ctx(building, unreadable))).toMatchObject({
      to: 'failed',
      reason: expect.stringMatching(/denied/) as unknown,
    });
  });
});

describe('version releases: the gate', () => {
  it('without an image it fails', async () => {
    expect(await versionGate(ctx(version({ phase: 'scanning' }), w()))).toMatchObject({ to: 'failed' });
  });
  it('its own scan: waits while running, fails past the deadline, fails when the run fails or cannot be read', async () => {
    const running = w({ scanner: { get: () => okR({ state: 'running' as const, runId: 's-1' }) } });
    expect(await versionGate(ctx(scanningVersion(), running))).toMatchObject({ kind: 'wait', on: 'scan' });
    expect(await versionGate(ctx(scanningVersion(), running, LATE))).toMatchObject({ to: 'failed' });
    const failed = w({ scanner: { get: () => okR({ state: 'failed' as const, runId: 's-1', reason: 'trivy crashed' }) } });
    expect(await versionGate(ctx(scanningVersion(), failed))).toMatchObject({
      to: 'failed',
      reason: expect.stringMatching(/trivy crashed/) as unknown,
    });
    const unreadable = w({ scanner: { get: () => errR(fail('invalid', 'gone')) } });
    expect(await versionGate(ctx(scanningVersion(), unreadable))).toMatchObject({ to: 'failed' });
  });
  it('its own scan passing tags the digest; an unreadable report fails', async () => {
    const passed = w({ scanner: { get: () => okR({ state: 'done' as const, runId: 's-1', report: clean }) } });
    expect(await versionGate(ctx(scanningVersion(), passed))).toMatchObject({ to: 'succeeded', outcome: { tags: { added: ['v1.2.3'] } } });
    const garbage = w({ scanner: { get: () => okR({ state: 'done' as const, runId: 's-1', report: { nope: true } }) } });
    expect(await versionGate(ctx(scanningVersion(), garbage))).toMatchObject({ to: 'failed' });
  });
  it('no registry to tag in, or a registry that refuses, ends failed with the reason', async () => {
    const passed = { scanner: { get: () => okR({ state: 'done' as const, runId: 's-1', report: clean }) } };
    expect(await versionGate(ctx(scanningVersion(), w(passed, false)))).toMatchObject({
      to: 'failed',
      reason: expect.stringMatching(/not configured/) as unknown,
    });
    const refused = w(passed);
    refused.d.tags = { tag: () => errR(fail('invalid', 'TagAlreadyExists')), revision: () => okR(undefined) };
    expect(await versionGate(ctx(scanningVersion(), refused))).toMatchObject({
      to: 'failed',
      outcome: { tags: { error: 'TagAlreadyExists' } },
    });
  });
});
