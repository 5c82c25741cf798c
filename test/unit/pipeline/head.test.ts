import { describe, expect, it } from 'vitest';
import { admit, admitBuild, emptyHead, releaseSlot, takeSlot, withPending, type Head } from '../../../src/services/domain/head.js';

const D1 = 'sha256:' + '1'.repeat(64);
const D2 = 'sha256:' + '2'.repeat(64);
const req = (target: string, o: Partial<Parameters<typeof admit>[1]> = {}) => ({
  target,
  allowQuarantined: false,
  semanticDedup: true,
  ...o,
});

describe('admission on the app/environment head', () => {
  it('the same digest as pending, active or current is a duplicate; a new one supersedes the pending', () => {
    let h: Head = withPending(emptyHead('a', 'dev'), { releaseId: 'r1', target: D1 });
    expect(admit(h, req(D1))).toMatchObject({ kind: 'duplicate', of: 'r1' });
    expect(admit(h, req(D2))).toEqual({ kind: 'admit', supersedes: 'r1' });
    const slot = takeSlot(h, 'r1');
    if (!slot.ok) throw new Error('slot');
    h = slot.head;
    expect(admit(h, req(D1))).toMatchObject({ kind: 'duplicate', of: 'r1', reason: 'same target as the release in progress' });
    h = releaseSlot(h, 'r1', { verified: { releaseId: 'r1', target: D1 } });
    expect(admit(h, req(D1))).toMatchObject({ kind: 'duplicate', reason: 'already the current verified release' });
    expect(admit(h, req(D1, { semanticDedup: false }))).toEqual({ kind: 'admit' });
  });

  it('a quarantined digest is refused to automation and allowed to an explicit manual deploy', () => {
    const h = releaseSlot(emptyHead('a', 'dev'), 'r2', { quarantine: { digest: D2, at: 'now' } });
    expect(admit(h, req(D2))).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(/quarantined after release r2/) });
    expect(admit(h, req(D2, { allowQuarantined: true, semanticDedup: false }))).toEqual({ kind: 'admit' });
  });

  it('a digest the gate just blocked is a duplicate for automation, not for a manual deploy', () => {
    const h = releaseSlot(withPending(emptyHead('a', 'dev'), { releaseId: 'r3', target: D1 }), 'r3', {
      blocked: { releaseId: 'r3', target: D1 },
    });
    expect(admit(h, req(D1))).toMatchObject({ kind: 'duplicate', of: 'r3', reason: expect.stringMatching(/just blocked/) });
    expect(admit(h, req(D1, { semanticDedup: false, allowQuarantined: true }))).toEqual({ kind: 'admit' });
    expect(releaseSlot(h, 'r4', { verified: { releaseId: 'r4', target: D2 } }).lastBlocked).toBeUndefined();
  });

  it('the deploy slot: busy while another release holds it, superseded when no longer pending', () => {
    const h = withPending({ ...emptyHead('a', 'dev'), active: { releaseId: 'r0', target: D1 } }, { releaseId: 'r1', target: D2 });
    expect(takeSlot(h, 'r1')).toMatchObject({ ok: false, why: 'busy' });
    expect(takeSlot(h, 'r9')).toMatchObject({ ok: false, why: 'superseded' });
  });

  it('builds: the same commit twice is one build; images of superseded builds and the moving latest tag are not deployed', () => {
    const h: Head = {
      ...emptyHead('a', 'dev'),
      latestBuild: { releaseId: 'b2', target: 'c2', commit: 'c'.repeat(40) },
      supersededBuilds: ['b'.repeat(40)],
    };
    expect(admitBuild(h, 'c'.repeat(40))).toMatchObject({ kind: 'duplicate', of: 'b2' });
    expect(admitBuild(h, 'd'.repeat(40))).toEqual({ kind: 'admit', supersedes: 'b2' });
    expect(admit(h, req(D1, { tag: 'b'.repeat(40) }))).toMatchObject({
      kind: 'ignored',
      reason: expect.stringMatching(/superseded by the build of ccccccc/),
    });
    expect(admit(h, req(D1, { tag: 'latest' }))).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(/^tag latest moves/) });
    expect(admit(h, req(D1, { tag: 'c'.repeat(40) }))).toEqual({ kind: 'admit' });
  });
});
