/** Version releases: tag the commit's gated digest, build only when there is no image of the commit. */
import { describe, expect, it } from 'vitest';
import { versionBuilding, versionGate, versionQueued } from '../../../../src/services/pipeline/steps/version.js';
import type { CachedVerdict, StoredHead } from '../../../../src/services/ports.js';
import { aRelease, aScanRecord, COMMIT, ctx, digest, errR, fail, iso, okR, REGISTRY, world, type WorldScript } from '../world.js';

const version = (over = {}) =>
  aRelease({ kind: 'version', version: 'v1.2.3', image: undefined, source: { door: 'github', eventId: 'd-1' }, ...over });
const image = { registry: REGISTRY, repository: 'tailspin-server', digest: digest(1), tag: COMMIT };
const verdict = (outcome: 'pass' | 'blocked'): CachedVerdict => ({
  outcome,
  summary: outcome,
  verdict: aScanRecord({ outcome }),
  scannedAt: iso(0),
  expiresAt: iso(3600),
});

function setup(s: WorldScript = {}) {
  const tagged: string[][] = [];
  const w = world(s);
  w.d.tags = { tag: (_repo, _d, tags) => (tagged.push(tags), okR(undefined)), revision: () => okR(undefined) };
  return { w, tagged };
}

describe('version releases', () => {
  it("a commit whose image exists: no build, its digest's gate verdict is taken", async () => {
    const { w } = setup({ builder: { resolveTag: () => okR(digest(1)) } });
    const d = await versionQueued(ctx(version(), w));
    expect(d).toMatchObject({ kind: 'advance', to: 'scanning', image });
    expect(w.callsTo('builder')).toEqual(['resolveTag']);
  });

  it('a commit never built is built (the candidate tag only), remembered on the head first so its image does not deploy', async () => {
    const heads: StoredHead[] = [];
    const { w } = setup({
      builder: { resolveTag: () => errR(fail('not-found', 'manifest unknown')), start: () => okR({ runId: 'b-1' }) },
      store: { putHead: (h) => (heads.push(h), okR(h)) },
    });
    const d = await versionQueued(ctx(version(), w));
    expect(d).toMatchObject({ kind: 'advance', to: 'building', progress: { buildRunId: 'b-1' } });
    expect(w.calls.find((c) => c.method === 'start')?.args[0]).toMatchObject({ imageNames: [`tailspin-server:${COMMIT}`] });
    expect(heads[0]?.versionBuilds).toEqual([COMMIT]);
    expect(w.calls.findIndex((c) => c.method === 'putHead')).toBeLessThan(w.calls.findIndex((c) => c.method === 'start'));
  });

  it('the build done, its digest goes to the gate', async () => {
    const { w } = setup({ builder: { get: () => okR({ state: 'succeeded' as const, runId: 'b-1', digest: digest(2) }) } });
    const d = await versionBuilding(ctx(version({ phase: 'building', progress: { buildRunId: 'b-1' } }), w));
    expect(d).toMatchObject({ kind: 'advance', to: 'scanning', image: { digest: digest(2) } });
  });

  it('a digest the gate passed is tagged with the version; the app head is never touched', async () => {
    const { w, tagged } = setup({ scanCache: { get: () => Promise.resolve(verdict('pass')) } });
    const d = await versionGate(ctx(version({ phase: 'scanning', image }), w));
    expect(tagged).toEqual([['v1.2.3']]);
    expect(d).toMatchObject({ kind: 'advance', to: 'succeeded', outcome: { tags: { added: ['v1.2.3'] } } });
    expect(d.kind === 'advance' && d.head).toBeUndefined();
    expect(w.callsTo('store')).toEqual([]);
  });

  it('a digest the gate blocked is never given the version', async () => {
    const { w, tagged } = setup({ scanCache: { get: () => Promise.resolve(verdict('blocked')) } });
    const d = await versionGate(ctx(version({ phase: 'scanning', image }), w));
    expect(tagged).toEqual([]);
    expect(d).toMatchObject({ kind: 'advance', to: 'blocked' });
  });

  it('no verdict yet: the version release scans the digest itself', async () => {
    const { w } = setup({ scanCache: { get: () => Promise.resolve(undefined) }, scanner: { start: () => okR({ runId: 's-1' }) } });
    const d = await versionGate(ctx(version({ phase: 'scanning', image }), w));
    expect(d).toMatchObject({ kind: 'advance', to: 'scanning', progress: { scanRunId: 's-1' } });
  });

  it('a registry outage while tagging is retried, not a failure', async () => {
    const { w } = setup({ scanCache: { get: () => Promise.resolve(verdict('pass')) } });
    w.d.tags = { tag: () => errR(fail('transient', 'ARM 503')), revision: () => okR(undefined) };
    const d = await versionGate(ctx(version({ phase: 'scanning', image }), w));
    expect(d).toMatchObject({ kind: 'wait', on: 'registry' });
  });
});
