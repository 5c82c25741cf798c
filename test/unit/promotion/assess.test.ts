import { describe, expect, it } from 'vitest';
import { admit, emptyHead, type Head } from '../../../src/services/domain/head.js';
import type { Release } from '../../../src/services/domain/release.js';
import { assessPromotion, type PromotionFacts } from '../../../src/services/promotion/assess.js';
import { candidateOf, eligibility } from '../../../src/services/promotion/eligibility.js';
import { PromotionGraphSpec, type Environment } from '../../../src/services/promotion/graph.js';
import { promotionId, type Candidate, type Promotion } from '../../../src/services/promotion/model.js';
import { aRelease, digest, iso, at } from '../pipeline/world.js';

const graph = PromotionGraphSpec.parse({
  environments: [
    { name: 'dev' },
    { name: 'staging', from: 'dev', policy: { kind: 'auto', soakSeconds: 600 }, freeze: ['* 16-23 * * 5'] },
    {
      name: 'prod',
      from: 'staging',
      policy: { kind: 'approval', approvals: 2, approvers: ['github:a', 'github:b', 'github:c'], soakSeconds: 300 },
    },
  ],
});
const env = (name: string): Environment => graph.environments.find((e) => e.name === name)!;

const succeeded = (over: Partial<Release> = {}): Release =>
  aRelease({
    id: 'r-aaaa-000001',
    phase: 'succeeded',
    timeline: [
      { at: iso(0), from: null, to: 'queued', reason: 'x', correlationId: 'c' },
      { at: iso(100), from: 'verifying', to: 'succeeded', reason: 'healthy', correlationId: 'c' },
    ],
    ...over,
  });

const cand = (r = succeeded()): Candidate => {
  const c = candidateOf(r);
  if (!c.ok) throw new Error(c.error);
  return c.value;
};

const head = (environment: string, over: Partial<Head> = {}): Head => ({ ...emptyHead('tailspin-server', environment), ...over });
const goodIn = (environment: string, r = succeeded()) =>
  head(environment, { lastGood: { releaseId: r.id, target: r.image!.digest, image: r.image! } });

const facts = (over: Partial<PromotionFacts> = {}): PromotionFacts => {
  const upstream = over.upstream ?? goodIn('dev');
  const target = over.target ?? head('staging');
  return { upstream, target, everywhere: over.everywhere ?? [upstream, target], upstreamSince: [], ...over };
};

const promotion = (to: string, over: Partial<Promotion> = {}): Promotion => {
  const c = cand();
  return {
    id: promotionId(to, c.releaseId),
    app: 'tailspin-server',
    from: to === 'prod' ? 'staging' : 'dev',
    to,
    candidate: to === 'prod' ? { ...c, environment: 'staging' } : c,
    state: 'pending',
    requestedBy: 'github:a',
    requestedAt: iso(100),
    comment: '',
    approvals: [],
    events: [],
    updatedAt: iso(100),
    ...over,
  };
};

describe('what may be promoted', () => {
  it('exactly the digest that succeeded, from the time it succeeded', () => {
    expect(cand()).toMatchObject({ kind: 'image', target: digest(1), succeededAt: iso(100), releaseId: 'r-aaaa-000001' });
    const m = cand(succeeded({ app: 'k8s', kind: 'manifest', manifestCommit: 'abc123', image: undefined }));
    expect(m).toMatchObject({ kind: 'manifest', target: 'abc123', manifestCommit: 'abc123' });
  });

  it.each([
    ['not succeeded', { phase: 'rolled_back' as const }, 'is rolled_back; only a verified'],
    ['unverified', { phase: 'unverified' as const }, 'is unverified'],
    ['a rollback release', { kind: 'rollback' as const }, 'only image and manifest releases'],
    ['an image release without a digest', { image: undefined, unresolvedImage: 'x:latest' }, 'only image and manifest'],
  ])('never %s', (_w, over, reason) => {
    const c = candidateOf(succeeded(over));
    expect(c.ok).toBe(false);
    if (!c.ok) expect(c.error).toContain(reason);
  });

  it('not a digest quarantined anywhere', () => {
    const prodQ = head('prod', { quarantined: [{ digest: digest(1), releaseId: 'r-bad-000009', at: iso(5) }] });
    const e = eligibility(cand(), facts({ everywhere: [goodIn('dev'), head('staging'), prodQ] }), 'staging');
    expect(e).toMatchObject({
      ok: false,
      error: { kind: 'not-eligible', reason: expect.stringContaining('quarantined in prod after release r-bad-000009') },
    });
  });

  it('not when a newer release is verified upstream (superseded), nor when something older runs there again', () => {
    const newer = head('dev', { lastGood: { releaseId: 'r-bbbb-000002', target: digest(2) } });
    expect(eligibility(cand(), facts({ upstream: newer }), 'staging')).toMatchObject({
      ok: false,
      error: { kind: 'superseded', by: 'r-bbbb-000002' },
    });
    const older = head('dev', { lastGood: { releaseId: 'r-0000-000000', target: digest(0) } });
    expect(eligibility(cand(), facts({ upstream: older }), 'staging')).toMatchObject({
      ok: false,
      error: { kind: 'not-eligible', reason: expect.stringContaining('no longer what runs verified in dev') },
    });
  });

  it('not what the target already runs, queues or deploys', () => {
    for (const t of [
      head('staging', { lastGood: { releaseId: 'r-s-000001', target: digest(1) } }),
      head('staging', { pending: { releaseId: 'r-s-000002', target: digest(1) } }),
      head('staging', { active: { releaseId: 'r-s-000003', target: digest(1) } }),
    ])
      expect(eligibility(cand(), facts({ target: t }), 'staging')).toMatchObject({ ok: false, error: { kind: 'already' } });
  });
});

describe('eligibility agrees with admission (domain/head.ts admit owns the target-side rules)', () => {
  // Each case is one where the old, separate rules said "eligible" and admission then said duplicate:
  // the promotion was recorded 'promoted' pointing at a release that was not its own.
  it("not a digest the target's scan gate just blocked (admission: duplicate of the blocked release)", () => {
    const t = head('staging', { lastBlocked: { releaseId: 'r-s-000004', target: digest(1) } });
    expect(admit(t, { target: digest(1), semanticDedup: true, allowQuarantined: false })).toMatchObject({ kind: 'duplicate' });
    expect(eligibility(cand(), facts({ target: t }), 'staging')).toEqual({
      ok: false,
      error: {
        kind: 'already',
        releaseId: 'r-s-000004',
        reason: 'staging blocked it at its gates (release r-s-000004); a manual deploy may retry it',
      },
    });
  });

  it('not what the target runs verified while a manifest release holds its slot (the app keeps its verified digest)', () => {
    const t = head('staging', {
      active: { releaseId: 'r-k-000005', target: 'abc1234', kind: 'manifest' },
      lastGood: { releaseId: 'r-s-000001', target: digest(1) },
    });
    expect(admit(t, { target: digest(1), semanticDedup: true, allowQuarantined: false })).toMatchObject({ kind: 'duplicate' });
    expect(eligibility(cand(), facts({ target: t }), 'staging')).toMatchObject({
      ok: false,
      error: { kind: 'already', releaseId: 'r-s-000001', reason: 'staging already runs it verified (release r-s-000001)' },
    });
  });

  it('what admission takes, eligibility takes: an image release of another digest in flight, a pending one it supersedes', () => {
    for (const t of [
      head('staging', { active: { releaseId: 'r-s-000003', target: digest(7) }, lastGood: { releaseId: 'r-s-000001', target: digest(1) } }),
      head('staging', { pending: { releaseId: 'r-s-000002', target: digest(8) } }),
    ]) {
      expect(admit(t, { target: digest(1), semanticDedup: true, allowQuarantined: false }).kind).toBe('admit');
      expect(eligibility(cand(), facts({ target: t }), 'staging').ok).toBe(true);
    }
  });
});

describe('a pending promotion, looked at', () => {
  it('auto: waits out the soak, then promotes', () => {
    expect(assessPromotion(promotion('staging'), env('staging'), facts(), at(600))).toEqual({
      kind: 'wait',
      for: `soak in dev until ${iso(700)}`,
      until: iso(700),
    });
    expect(assessPromotion(promotion('staging'), env('staging'), facts(), at(700))).toEqual({ kind: 'promote' });
  });

  it('auto: holds during a freeze window and says until when', () => {
    const friday = new Date('2026-12-04T17:00:00Z');
    const p = promotion('staging', { candidate: { ...cand(), succeededAt: '2026-12-04T10:00:00.000Z' } });
    expect(assessPromotion(p, env('staging'), facts(), friday)).toEqual({
      kind: 'wait',
      for: 'freeze window until 2026-12-05T00:00:00.000Z',
      until: '2026-12-05T00:00:00.000Z',
    });
  });

  it('approval: needs N distinct approvals after the soak', () => {
    const f = facts({ upstream: goodIn('staging'), target: head('prod') });
    const one = [{ by: 'github:b', at: iso(200), comment: 'ok' }];
    expect(assessPromotion(promotion('prod', { approvals: one }), env('prod'), f, at(300))).toMatchObject({
      kind: 'wait',
      for: expect.stringContaining('soak in staging'),
    });
    expect(assessPromotion(promotion('prod', { approvals: one }), env('prod'), f, at(400))).toEqual({
      kind: 'wait',
      for: 'approvals: 1 of 2',
    });
    const same = [...one, { by: 'GitHub:B', at: iso(201), comment: 'again' }];
    expect(assessPromotion(promotion('prod', { approvals: same }), env('prod'), f, at(400))).toEqual({
      kind: 'wait',
      for: 'approvals: 1 of 2',
    });
    const two = [...one, { by: 'github:c', at: iso(202), comment: '' }];
    expect(assessPromotion(promotion('prod', { approvals: two }), env('prod'), f, at(400))).toEqual({ kind: 'promote' });
  });

  it('stops when the upstream environment rolls back during the soak, and says why', () => {
    const f = facts({ upstream: goodIn('staging'), target: head('prod') });
    const rollback = aRelease({
      id: 'r-cccc-000003',
      environment: 'staging',
      kind: 'rollback',
      createdAt: iso(150),
      phase: 'deploying',
      source: { door: 'manual', eventId: 'm', reason: 'rollback requested by entra:ops: bad feeling' },
    });
    expect(assessPromotion(promotion('prod'), env('prod'), { ...f, upstreamSince: [rollback] }, at(200))).toEqual({
      kind: 'stop',
      reason: 'staging was rolled back during the soak (release r-cccc-000003: rollback requested by entra:ops: bad feeling)',
    });
    const failed = aRelease({
      id: 'r-dddd-000004',
      environment: 'staging',
      createdAt: iso(150),
      phase: 'rolled_back',
      timeline: [{ at: iso(160), from: 'verifying', to: 'rolling_back', reason: 'error rate 6 % is above 1 %', correlationId: 'c' }],
    });
    expect(assessPromotion(promotion('prod'), env('prod'), { ...f, upstreamSince: [failed] }, at(200))).toEqual({
      kind: 'stop',
      reason: 'staging rolled back release r-dddd-000004 during the soak (error rate 6 % is above 1 %)',
    });
  });

  it('stops at once when an upstream release starts rolling back, with its reason, from a listing (no timeline)', () => {
    // What the release store's listing hands back: the release row, timeline left out.
    const f = facts({ upstream: goodIn('staging'), target: head('prod') });
    const rolling = aRelease({
      id: 'r-eeee-000005',
      environment: 'staging',
      createdAt: iso(150),
      phase: 'rolling_back',
      timeline: [],
      outcome: { failure: { reason: 'error rate 6 % is above 1 %', at: iso(160) } },
    });
    expect(assessPromotion(promotion('prod'), env('prod'), { ...f, upstreamSince: [rolling] }, at(200))).toEqual({
      kind: 'stop',
      reason: 'staging is rolling back release r-eeee-000005 during the soak (error rate 6 % is above 1 %)',
    });
    const ended = {
      ...rolling,
      phase: 'rolled_back' as const,
      outcome: { rollback: { reason: 'smoke failed: 503', mode: 'undo' as const, startedAt: iso(170) } },
    };
    expect(assessPromotion(promotion('prod'), env('prod'), { ...f, upstreamSince: [ended] }, at(200))).toEqual({
      kind: 'stop',
      reason: 'staging rolled back release r-eeee-000005 during the soak (smoke failed: 503)',
    });
  });

  it('waits while an alert fires upstream, naming it; promotes once none fires; never on unknown alerts', () => {
    const aks =
      '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-dev/providers/Microsoft.ContainerService/managedClusters/aks-dev';
    const firing = (n: string, severity: string, firedAt: string) => ({ name: n, severity, target: aks, firedAt });
    const alerts = [firing('p95 over 2 s', 'Sev2', iso(650)), firing('error rate over 1 %', 'Sev1', iso(660))];
    expect(
      assessPromotion(promotion('staging'), env('staging'), { ...facts(), upstreamAlerts: { ok: true, value: alerts } }, at(700)),
    ).toEqual({
      kind: 'wait',
      for: `alert "error rate over 1 %" (Sev1) firing in dev on aks-dev since ${iso(660)} (+1 more)`,
    });
    // During the soak the soak is what it waits for.
    expect(
      assessPromotion(promotion('staging'), env('staging'), { ...facts(), upstreamAlerts: { ok: true, value: alerts } }, at(600)),
    ).toMatchObject({
      for: expect.stringContaining('soak in dev'),
    });
    const down = { kind: 'transient' as const, system: 'alerts', message: 'GET alerts: HTTP 503' };
    expect(
      assessPromotion(promotion('staging'), env('staging'), { ...facts(), upstreamAlerts: { ok: false, error: down } }, at(700)),
    ).toEqual({
      kind: 'wait',
      for: 'alerts in dev unknown (GET alerts: HTTP 503); not promoted on unknown',
    });
    // Approval environments wait too, before counting approvals.
    const two = [
      { by: 'github:b', at: iso(200), comment: '' },
      { by: 'github:c', at: iso(201), comment: '' },
    ];
    const f = facts({ upstream: goodIn('staging'), target: head('prod') });
    expect(
      assessPromotion(promotion('prod', { approvals: two }), env('prod'), { ...f, upstreamAlerts: { ok: true, value: alerts } }, at(700)),
    ).toMatchObject({ kind: 'wait', for: expect.stringContaining('firing in staging') });
    expect(assessPromotion(promotion('staging'), env('staging'), { ...facts(), upstreamAlerts: { ok: true, value: [] } }, at(700))).toEqual(
      {
        kind: 'promote',
      },
    );
  });

  it('a rollback before the candidate succeeded does not count', () => {
    const old = aRelease({ id: 'r-0000-000000', kind: 'rollback', createdAt: iso(50), phase: 'succeeded' });
    expect(assessPromotion(promotion('staging'), env('staging'), { ...facts(), upstreamSince: [old] }, at(700))).toEqual({
      kind: 'promote',
    });
  });

  it('is superseded by a newer verified release upstream, and stopped by a quarantine', () => {
    const newer = head('dev', { lastGood: { releaseId: 'r-bbbb-000002', target: digest(2) } });
    expect(assessPromotion(promotion('staging'), env('staging'), facts({ upstream: newer }), at(700))).toMatchObject({
      kind: 'supersede',
      by: 'r-bbbb-000002',
    });
    const q = head('staging', { quarantined: [{ digest: digest(1), releaseId: 'r-x-000001', at: iso(1) }] });
    expect(
      assessPromotion(promotion('staging'), env('staging'), facts({ target: q, everywhere: [goodIn('dev'), q] }), at(700)),
    ).toMatchObject({ kind: 'stop' });
  });

  it('an environment without a policy takes nothing', () => {
    expect(assessPromotion(promotion('dev'), env('dev'), facts(), at(700))).toMatchObject({
      kind: 'stop',
      reason: 'dev takes no promotions (no policy)',
    });
  });
});
