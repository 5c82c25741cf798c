import { describe, expect, it } from 'vitest';
import { planAdmission, supersede, type NewRelease } from '../../../src/services/domain/admission.js';
import { emptyHead, type Head } from '../../../src/services/domain/head.js';
import { COMMIT, REGISTRY, T0, aRelease, digest, iso } from './world.js';

const image = (n: number, over: Partial<NewRelease> = {}): NewRelease => ({
  app: 'tailspin-server',
  environment: 'dev',
  kind: 'image',
  target: digest(n),
  image: { registry: REGISTRY, repository: 'tailspin-server', digest: digest(n), tag: `v${n}` },
  source: { door: 'acr', eventId: `evt-${n}` },
  correlationId: `evt-${n}`,
  semanticDedup: true,
  allowQuarantined: false,
  ...over,
});
const empty = emptyHead('tailspin-server', 'dev');

describe('planAdmission', () => {
  it('admits a new image release as the pending one, queued now with its first timeline entry', () => {
    expect(planAdmission(empty, image(1), 'r-new-000001', T0)).toEqual({
      kind: 'admit',
      release: {
        id: 'r-new-000001',
        app: 'tailspin-server',
        environment: 'dev',
        kind: 'image',
        phase: 'queued',
        image: { registry: REGISTRY, repository: 'tailspin-server', digest: digest(1), tag: 'v1' },
        source: { door: 'acr', eventId: 'evt-1' },
        correlationId: 'evt-1',
        createdAt: iso(0),
        updatedAt: iso(0),
        nextCheckAt: iso(0),
        progress: {},
        outcome: {},
        timeline: [{ at: iso(0), from: null, to: 'queued', reason: 'acr event evt-1', correlationId: 'evt-1' }],
      },
      head: { ...empty, pending: { releaseId: 'r-new-000001', target: digest(1) } },
    });
  });

  it('a newer release supersedes the pending one; the same digest again is a duplicate of it', () => {
    const head: Head = { ...empty, pending: { releaseId: 'r-old', target: digest(1) } };
    expect(planAdmission(head, image(2), 'r-new', T0)).toMatchObject({
      kind: 'admit',
      supersedes: 'r-old',
      head: { pending: { releaseId: 'r-new', target: digest(2) } },
    });
    expect(planAdmission(head, image(1), 'r-new', T0)).toEqual({
      kind: 'duplicate',
      of: 'r-old',
      reason: 'same target as the pending release',
    });
  });

  it('a quarantined digest is ignored unless a person asks for it', () => {
    const head: Head = { ...empty, quarantined: [{ digest: digest(3), releaseId: 'r-bad', at: iso(-60) }] };
    expect(planAdmission(head, image(3), 'r-new', T0)).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(/quarantined/) });
    expect(
      planAdmission(
        head,
        image(3, { allowQuarantined: true, source: { door: 'manual', eventId: 'm', reason: 'deploy requested: fix' } }),
        'r-new',
        T0,
      ),
    ).toMatchObject({
      kind: 'admit',
      release: { timeline: [{ reason: 'deploy requested: fix' }] },
    });
  });

  it('a build becomes the latest build, remembering the commit it superseded', () => {
    const build: NewRelease = {
      ...image(0),
      kind: 'build',
      target: COMMIT,
      image: undefined,
      commit: COMMIT,
      progress: { compare: 'https://x', truncated: false },
    };
    const head: Head = { ...empty, latestBuild: { releaseId: 'r-b1', target: 'a'.repeat(40), commit: 'a'.repeat(40) } };
    expect(planAdmission(head, build, 'r-b2', T0)).toMatchObject({
      kind: 'admit',
      supersedes: 'r-b1',
      release: { kind: 'build', commit: COMMIT, progress: { compare: 'https://x', truncated: false } },
      head: { latestBuild: { releaseId: 'r-b2', target: COMMIT, commit: COMMIT }, supersededBuilds: ['a'.repeat(40)] },
    });
    expect(planAdmission({ ...head, latestBuild: { releaseId: 'r-b1', target: COMMIT, commit: COMMIT } }, build, 'r-b2', T0)).toEqual({
      kind: 'duplicate',
      of: 'r-b1',
      reason: 'this commit is already being built',
    });
  });
});

describe('supersede', () => {
  it('ends a release that has not deployed yet, with the reason in its timeline', () => {
    const old = aRelease({
      phase: 'scanning',
      nextCheckAt: iso(5),
      wait: { on: 'scan', for: 'scanner: run s', since: iso(0), deadline: iso(900) },
    });
    const { nextCheckAt: _n, wait: _w, ...rest } = old;
    expect(supersede(old, 'r-new', T0)).toEqual({
      ...rest,
      phase: 'superseded',
      updatedAt: iso(0),
      timeline: [
        ...old.timeline,
        { at: iso(0), from: 'scanning', to: 'superseded', reason: 'superseded by newer release r-new', correlationId: 'evt-1' },
      ],
    });
  });

  it('leaves a release that is deploying or has ended alone', () => {
    for (const phase of ['deploying', 'verifying', 'rolling_back', 'succeeded', 'superseded'] as const)
      expect(supersede(aRelease({ phase }), 'r-new', T0)).toBeUndefined();
  });
});
