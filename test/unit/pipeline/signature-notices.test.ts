import { describe, expect, it } from 'vitest';
import { notifyTransition } from '../../../src/services/pipeline/notify.js';
import { issueFor } from '../../../src/services/pipeline/evidence.js';
import type { Release, SignatureRecord } from '../../../src/services/domain/release.js';
import { COMMIT, aRelease, aScanRecord, digest, iso, okR, world } from './world.js';

const ID = 'r-test-000001';
const URL = `https://deployer.example/api/deployments/${ID}`;
const REASON = `signature gate: no cosign signature found for ${digest(1)}`;
const signature = (over: Partial<SignatureRecord> = {}): SignatureRecord => ({
  policy: 'enforce',
  outcome: 'unsigned',
  summary: REASON.replace('signature gate: ', ''),
  looked: ['tag x.sig: none'],
  refused: [],
  at: iso(1),
  ...over,
});
const blocked = (sig: SignatureRecord): Release => {
  const r = aRelease({ phase: 'blocked', outcome: { scan: aScanRecord({ outcome: 'pass' }), signature: sig } });
  return {
    ...r,
    timeline: [...r.timeline, { at: iso(1), from: 'scanning', to: 'blocked', reason: REASON, correlationId: r.correlationId }],
  };
};

describe('a release blocked by the signature gate', () => {
  it('fails its own commit status context, and opens an issue that says what to sign', async () => {
    const issues: unknown[] = [];
    const w = world({
      source: {
        setCommitStatus: () => okR(undefined),
        setDeploymentStatus: () => okR(undefined),
        ensureIssue: (i) => (issues.push(i), okR({ url: 'https://github.example/i/1', number: 1, created: true })),
      },
    });
    await notifyTransition(w.d, blocked(signature()), 'scanning', w.d.logger);
    expect(w.calls.find((c) => c.method === 'setCommitStatus')?.args).toEqual([
      COMMIT,
      'tailspin-deployer/signature',
      'failure',
      REASON,
      URL,
    ]);
    expect(issues).toHaveLength(1);
  });

  it('issue: titled and labelled for the signature gate, with the record as evidence', () => {
    const issue = issueFor(
      blocked(signature({ outcome: 'invalid', refused: [{ source: 'tag x.sig', why: 'signed for another digest' }] })),
      URL,
    );
    expect(issue.title).toBe(`Blocked by the signature gate: tailspin-server in dev (${digest(1).slice(0, 19)})`);
    expect(issue.labels).toContain('signature-blocked');
    expect(issue.marker).toBe(`tailspin-deployer:signature-blocked:tailspin-server:dev:${digest(1)}`);
    expect(issue.body).toContain('<summary>Signature</summary>');
    expect(issue.body).toContain('signed for another digest');
    expect(issue.body).toContain('cosign sign --key');
  });

  it('a scan block stays a scan block even when a signature was recorded', () => {
    const r = blocked(signature({ policy: 'warn' }));
    const scanBlocked: Release = { ...r, outcome: { ...r.outcome, scan: aScanRecord({ outcome: 'blocked' }) } };
    expect(issueFor(scanBlocked, URL).title).toMatch(/^Blocked by the scan gate/);
  });
});
