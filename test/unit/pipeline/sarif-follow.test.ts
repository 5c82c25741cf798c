/**
 * A SARIF upload is followed to the end (issue #15 review): GitHub's processing status is looked at
 * again with the release's notices until it is complete or failed — or given up after
 * SARIF_FOLLOW_SECONDS, saying why — and the blocking issue opened before then gets a comment with the
 * analysis. Never holding the release up: it is blocked at once. Driven through reconcile with a clock.
 */
import { describe, expect, it } from 'vitest';
import { reconcile } from '../../../src/services/pipeline/reconcile.js';
import { SARIF_FOLLOW_SECONDS } from '../../../src/services/pipeline/code-scanning.js';
import type { Release } from '../../../src/services/domain/release.js';
import type { Result } from '../../../src/services/domain/result.js';
import type { SarifProcessing } from '../../../src/services/ports.js';
import { sharedJson } from '../../helpers/fixtures.js';
import { T0, aRelease, errR, fail, iso, memoryStore, okR, world } from './world.js';

const ID = 'r-test-000001';
const ISSUE = 'https://github.example/tailspin/tailspin-toys/issues/9';
const ANALYSES = 'https://api.github.example/repos/tailspin/tailspin-toys/code-scanning/analyses?sarif_id=sarif-1';
const vulnerable = sharedJson<Record<string, unknown>>('trivy', 'alpine-39-high-critical.json.golden');

const scanning = (): Release =>
  aRelease({ phase: 'scanning', nextCheckAt: iso(0), progress: { scanRunId: 's-1', scanStartedAt: iso(-30), scanAttempt: 1 } });

/** GitHub code scanning answering each status read with the next scripted answer (the last one repeats). */
function setup(answers: ((t: Date) => Promise<Result<SarifProcessing>>)[]) {
  const clock = { t: T0 };
  const mem = memoryStore([scanning()]);
  const comments: { url: string; body: string }[] = [];
  const issues: string[] = [];
  let reads = 0;
  const w = world({
    clock: { now: () => clock.t },
    store: mem.store,
    queue: { enqueue: () => Promise.resolve() },
    scanner: { get: () => okR({ state: 'done' as const, runId: 's-1', report: vulnerable }) },
    scanCache: { put: () => Promise.resolve() },
    source: {
      setCommitStatus: () => okR(undefined),
      ensureIssue: (req) => (issues.push(req.body), okR({ url: ISSUE, number: 9, created: true })),
      commentOnIssue: (url, body) => (comments.push({ url, body }), okR(undefined)),
    },
  });
  w.d.codeScanning = {
    upload: () => okR({ id: 'sarif-1', url: 'https://api.github.example/repos/tailspin/tailspin-toys/code-scanning/sarifs/sarif-1' }),
    status: () => (answers[Math.min(reads++, answers.length - 1)] ?? (() => okR({ processing: 'pending' as const })))(clock.t),
  };
  /** Run ticks at every due time until nothing is owed; the times they ran, in seconds after T0. */
  const drain = async (limit = 40): Promise<number[]> => {
    const times: number[] = [];
    for (let i = 0; i < limit; i++) {
      const due = mem.row(ID)?.progress.notifyPending?.length ? mem.row(ID)?.progress.notifyDueAt : undefined;
      if (!due) break;
      clock.t = new Date(due);
      await reconcile(w.d, ID);
      times.push((clock.t.getTime() - T0.getTime()) / 1000);
    }
    return times;
  };
  return { w, mem, clock, comments, issues, drain, reads: () => reads };
}

const pending = () => okR({ processing: 'pending' as const });
const complete = () => okR({ processing: 'complete' as const, analysesUrl: ANALYSES });

describe('following a SARIF upload to the end', () => {
  it('pending for a while: the release is blocked at once, the issue opened, and the analysis linked once GitHub has it', async () => {
    const s = setup([pending, pending, pending, pending, complete]);
    expect(await reconcile(s.w.d, ID)).toMatchObject({ kind: 'stepped', phase: 'blocked' });
    expect(s.mem.row(ID)?.outcome.codeScanning).toMatchObject({ state: 'uploaded', processing: 'pending', looks: 2 });
    expect(s.mem.row(ID)?.progress.notifyPending).toEqual(['code-scanning']);
    expect(s.w.outbox.has(ID)).toBe(true);
    expect(s.issues).toHaveLength(1);
    expect(s.comments).toEqual([]);
    // looked at again with the notices' backoff (30 s, doubling), not on a busy loop
    expect(await s.drain()).toEqual([30, 90, 210]);
    expect(s.mem.row(ID)?.outcome.codeScanning).toMatchObject({ processing: 'complete', analysesUrl: ANALYSES, looks: 5 });
    expect(s.mem.row(ID)?.outcome.codeScanning?.issueLinked).toBe(iso(210));
    expect(s.comments).toEqual([{ url: ISSUE, body: expect.stringContaining(ANALYSES) as unknown }]);
    expect(s.mem.row(ID)?.progress.notifyPending).toEqual([]);
    expect(s.w.outbox.has(ID)).toBe(false);
    expect(s.mem.row(ID)?.outcome.notifyAbandoned).toBeUndefined();
  });

  it('GitHub down while following: looked at again until it answers', async () => {
    const down = () => errR(fail('transient', 'GitHub 503'));
    const s = setup([pending, down, down, down, down, complete]);
    await reconcile(s.w.d, ID);
    expect(await s.drain()).toEqual([30, 90, 210, 450]);
    expect(s.mem.row(ID)?.outcome.codeScanning).toMatchObject({ processing: 'complete', analysesUrl: ANALYSES });
    expect(s.comments).toHaveLength(1);
  });

  it('processing that fails is recorded with GitHub’s errors, and the issue is told', async () => {
    const failed = () => okR({ processing: 'failed' as const, errors: ['Invalid SARIF: expected artifact location'] });
    const s = setup([pending, pending, failed]);
    await reconcile(s.w.d, ID);
    await s.drain();
    expect(s.mem.row(ID)?.outcome.codeScanning).toMatchObject({
      processing: 'failed',
      reason: 'GitHub could not process the SARIF: Invalid SARIF: expected artifact location',
    });
    expect(s.comments[0]?.body).toMatch(/could not process the SARIF .*Invalid SARIF: expected artifact location/);
    expect(s.mem.row(ID)?.progress.notifyPending).toEqual([]);
  });

  it('still pending after SARIF_FOLLOW_SECONDS: given up, saying why; nothing abandoned, nobody alarmed', async () => {
    const s = setup([pending]);
    await reconcile(s.w.d, ID);
    const times = await s.drain();
    expect(times.at(-1)).toBeGreaterThanOrEqual(SARIF_FOLLOW_SECONDS - 30);
    expect(times.at(-1)).toBeLessThanOrEqual(SARIF_FOLLOW_SECONDS + 900);
    expect(s.reads()).toBeLessThan(15);
    expect(s.mem.row(ID)?.outcome.codeScanning).toMatchObject({
      processing: 'pending',
      gaveUpAt: expect.any(String) as unknown,
      reason: expect.stringMatching(/^GitHub was still processing SARIF sarif-1 after 60 minutes/) as unknown,
    });
    expect(s.mem.row(ID)?.progress.notifyPending).toEqual([]);
    expect(s.mem.row(ID)?.outcome.notifyAbandoned).toBeUndefined();
    expect(s.comments).toEqual([]);
  });

  it('processed before the issue opened: the issue carries the link in its body, no comment, nothing owed', async () => {
    const s = setup([complete]);
    await reconcile(s.w.d, ID);
    expect(s.issues[0]).toContain(ANALYSES);
    expect(s.mem.row(ID)?.outcome.codeScanning).toMatchObject({ processing: 'complete', issueLinked: iso(0) });
    expect(s.mem.row(ID)?.progress.notifyPending).toEqual([]);
    expect(s.comments).toEqual([]);
    expect(s.reads()).toBe(1);
  });
});
