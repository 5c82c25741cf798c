/**
 * "A pushed git tag vX.Y.Z on the deploy branch's history" through the local host (issue #15 review):
 * the GitHub fake holds a commit graph (main: A → B → C, a feature branch off A), and GitHub's compare
 * decides. A tag on an older commit of main is versioned; a tag on a commit only on the feature branch
 * is ignored with the reason; GitHub down while asking is waited for, then the tag is versioned.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHost } from '../../src/local/host.js';
import { sandboxSlots } from '../../src/sandbox/index.js';
import type { AcrFake } from '../../src/sandbox/acr/fake.js';
import type { GitHubFake } from '../../src/sandbox/github/server.js';
import { api, eventually, startTestHost } from '../helpers/host.js';
import { isEnded, tagPushed } from '../helpers/releases.js';

let host: LocalHost;
let github: GitHubFake;
let acr: AcrFake;

const sha = (c: string): string => c.repeat(40);
const [A, B, C, F] = [sha('a'), sha('b'), sha('c'), sha('f')];

beforeAll(async () => {
  host = await startTestHost({ SCAN_POLL_SECONDS: '1', BUILD_POLL_SECONDS: '1' }, sandboxSlots);
  github = host.sandbox.find((s) => s.name === 'github')?.handle as GitHubFake;
  acr = host.sandbox.find((s) => s.name === 'acr')?.handle as AcrFake;
  github.graph.commit([A, B, C], { branch: 'main' });
  github.graph.commit([F], { parent: A, branch: 'feature' });
  for (const commit of [A, B, F]) for (const repo of ['tailspin-server', 'tailspin-client']) acr.pushImage(repo, commit);
}, 120_000);
afterAll(async () => host?.stop());

interface View {
  id: string;
  app: string;
  phase: string;
  kind: string;
  timeline: { to: string; reason: string }[];
}
const view = async (id: string) => (await (await api(host, `/deployments/${id}`)).json()) as View;
const settle = (id: string) =>
  eventually(async () => ((v) => (isEnded(v.phase) ? v : undefined))(await view(id)), `release ${id} to end`, 60_000, 250);

describe('version tags and the deploy branch’s history', { timeout: 120_000 }, () => {
  it('a tag on an older commit of main is versioned (the tag is not at main’s tip: base_ref is null)', async () => {
    const ended = await tagPushed(host, 'v1.0.0', A, settle);
    expect(ended.map((v) => [v.kind, v.phase])).toEqual([
      ['version', 'succeeded'],
      ['version', 'succeeded'],
    ]);
    expect(acr.digestOf('tailspin-server', 'v1.0.0')).toBe(acr.digestOf('tailspin-server', A));
    expect(
      github.calls.some((c) => c.operationId === 'repos/compare-commits-with-basehead' && c.path.includes(`/compare/main...${A}`)),
    ).toBe(true);
  });

  it('a tag on a commit only on a feature branch is ignored with the reason, and nothing is tagged', async () => {
    const ended = await tagPushed(host, 'v1.1.0', F, settle);
    for (const v of ended) {
      expect(v.phase).toBe('blocked');
      expect(v.timeline.at(-1)?.reason).toBe(
        `ignored: tag v1.1.0 points at ${F.slice(0, 7)}, which is not in main's history (GitHub compare main...${F.slice(0, 7)}: diverged, 1 commit not on main): nothing is versioned`,
      );
    }
    expect(acr.digestOf('tailspin-server', 'v1.1.0')).toBeUndefined();
    expect(acr.digestOf('tailspin-client', 'v1.1.0')).toBeUndefined();
  });

  it('GitHub down while asking: the release waits, then the tag is versioned', async () => {
    github.outage(true, 5);
    try {
      const ended = await tagPushed(host, 'v1.2.0', B, settle);
      expect(ended.map((v) => v.phase)).toEqual(['succeeded', 'succeeded']);
      const compares = github.calls.filter((c) => c.operationId === 'repos/compare-commits-with-basehead' && c.path.includes(B));
      expect(compares.some((c) => c.status === 503)).toBe(true);
      expect(compares.at(-1)?.status).toBe(200);
      expect(acr.digestOf('tailspin-server', 'v1.2.0')).toBe(acr.digestOf('tailspin-server', B));
    } finally {
      github.outage(false);
    }
  });
});
