/**
 * A release that passed the scan and signature gates and waits for the deploy slot reads neither
 * again while it waits (issue #15 review): every poll used to re-read the scan run (or the cached
 * verdict) and re-fetch the signatures from the registry. Counted at the ports, tick by tick.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { reconcile } from '../../../src/services/pipeline/reconcile.js';
import type { Release } from '../../../src/services/domain/release.js';
import type { CachedVerdict, SignatureLookup } from '../../../src/services/ports.js';
import { parsePublicKeys } from '../../../src/services/signature/index.js';
import { sharedJson } from '../../helpers/fixtures.js';
import { aRelease, aScanRecord, at, digest, iso, memoryHeads, memoryStore, okR, world } from './world.js';

const ID = 'r-test-000001';
const HOLDER = 'r-holder-00001';
const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const parsed = parsePublicKeys(pair.publicKey.export({ type: 'spki', format: 'pem' }).toString());
if (!parsed.ok) throw new Error(parsed.error);
const payload = Buffer.from(
  JSON.stringify({ critical: { image: { 'docker-manifest-digest': digest(1) }, type: 'cosign container image signature' } }),
);
const signed: SignatureLookup = {
  candidates: [{ source: 'tag x.sig', payload, signature: sign('sha256', payload, pair.privateKey).toString('base64') }],
  looked: ['tag x.sig'],
  notes: [],
};
const clean = { ...sharedJson<Record<string, unknown>>('trivy', 'alpine-39-high-critical.json.golden'), Results: [] };

function setup(ours: Release, cached: CachedVerdict | undefined) {
  const heads = memoryHeads({
    'tailspin-server/dev': { active: { releaseId: HOLDER, target: digest(9) }, pending: { releaseId: ID, target: digest(1) } },
  });
  const holder = aRelease({ id: HOLDER, phase: 'verifying', image: { registry: 'r', repository: 'tailspin-server', digest: digest(9) } });
  const mem = memoryStore([ours, holder], heads);
  let now = at(0);
  const w = world({
    clock: { now: () => now },
    store: mem.store,
    queue: { enqueue: () => Promise.resolve() },
    scanner: { get: () => okR({ state: 'done' as const, runId: 's-1', report: clean }) },
    scanCache: { get: () => Promise.resolve(cached), put: () => Promise.resolve() },
    source: { setCommitStatus: () => okR(undefined), createDeployment: () => okR({ id: 1 }), setDeploymentStatus: () => okR(undefined) },
    settings: { signature: { policy: 'enforce', keys: parsed.ok ? parsed.value : [], deadlineSeconds: 300, pollSeconds: 10 } },
  });
  w.d.signatures = { find: () => (w.calls.push({ port: 'signatures', method: 'find', args: [] }), okR(signed)) };
  const tick = async (s: number) => {
    now = at(s);
    return reconcile(w.d, ID, { force: true });
  };
  const reads = () => ({
    scanner: w.callsTo('scanner').length,
    scanCache: w.callsTo('scanCache').filter((m) => m === 'get').length,
    signatures: w.callsTo('signatures').length,
  });
  return { w, mem, heads, tick, reads };
}

describe('waiting for the deploy slot after the gates passed', () => {
  it('a fresh scan: the run and the signatures are read once, not on every poll', async () => {
    const scanning = aRelease({ phase: 'scanning', progress: { scanRunId: 's-1', scanStartedAt: iso(0), scanAttempt: 1 } });
    const { tick, reads, heads, mem } = setup(scanning, undefined);
    for (const s of [0, 5, 10, 15, 20]) expect(await tick(s)).toMatchObject({ kind: 'stepped', phase: 'scanning' });
    expect(mem.row(ID)?.wait?.on).toBe('slot');
    expect(reads()).toEqual({ scanner: 1, scanCache: 0, signatures: 1 });
    // the slot frees: the release deploys with the gates' reasons, still without reading them again
    const h = heads.head('tailspin-server/dev')!;
    heads.cas({ ...h, active: undefined });
    expect(await tick(25)).toMatchObject({ phase: 'deploying' });
    expect(reads()).toEqual({ scanner: 1, scanCache: 0, signatures: 1 });
    expect(mem.row(ID)?.timeline.at(-1)?.reason).toMatch(/^scan gate passed \(run s-1\); signature gate: signed for sha256:\w+ by key/);
  });

  it('a cached verdict: it and the signatures are read once, not on every poll', async () => {
    const cached: CachedVerdict = { outcome: 'pass', summary: 'passed', verdict: aScanRecord(), scannedAt: iso(-60), expiresAt: iso(3600) };
    const { tick, reads, mem } = setup(aRelease(), cached);
    for (const s of [0, 5, 10, 15]) await tick(s);
    expect(mem.row(ID)?.wait?.on).toBe('slot');
    expect(reads()).toEqual({ scanner: 0, scanCache: 1, signatures: 1 });
  });

  it('a newer release still supersedes one waiting for the slot', async () => {
    const scanning = aRelease({ phase: 'scanning', progress: { scanRunId: 's-1', scanStartedAt: iso(0), scanAttempt: 1 } });
    const { tick, heads, mem } = setup(scanning, undefined);
    await tick(0);
    const h = heads.head('tailspin-server/dev')!;
    heads.cas({ ...h, pending: { releaseId: 'r-newer-000001', target: digest(2) } });
    expect(await tick(5)).toMatchObject({ phase: 'superseded' });
    expect(mem.row(ID)?.phase).toBe('superseded');
  });
});
