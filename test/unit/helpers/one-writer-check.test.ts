/** The storm's one-writer check (test/helpers/one-writer.ts) finds what it claims to find. */
import { describe, expect, it } from 'vitest';
import { oneWriterViolations, type HoldSpan } from '../../helpers/one-writer.js';
import type { DeploymentWrite } from '../../../src/sandbox/kubernetes/writes.js';

const spans = (...list: HoldSpan[]) => new Map(list.map((s) => [s.id, s]));
const write = (writer: string, at: number, name = 'app-00'): DeploymentWrite => ({
  at,
  namespace: 'tail-spin',
  name,
  generation: 2,
  writer,
});
const where = (app: string) => `tail-spin/${app}`;
const a = { id: 'r-a', app: 'app-00', from: 100, to: 200 };
const b = { id: 'r-b', app: 'app-00', from: 200, to: 300 };

describe('one writer per Deployment, by commit times and the cluster record', () => {
  it('holds for releases one after another, each changing the Deployment inside its own hold', () => {
    expect(
      oneWriterViolations(spans(a, b), [write('r-a/deploy', 120), write('r-a/rollback', 190), write('r-b/deploy', 210)], where),
    ).toEqual([]);
  });

  it('finds two releases holding one Deployment at once, and a release still running', () => {
    expect(oneWriterViolations(spans(a, { ...b, from: 150 }), [], where)).toEqual([
      'app-00: r-a and r-b held the Deployment at the same time',
    ]);
    expect(oneWriterViolations(spans({ ...a, to: undefined }, b), [], where)).toHaveLength(1);
  });

  it('finds a change after its release ended, before it began, by a stranger, and on another app', () => {
    const found = oneWriterViolations(
      spans(a, b),
      [write('r-a/deploy', 250), write('r-b/deploy', 150), write('r-x/deploy', 160), write('r-a/deploy', 150, 'app-01')],
      where,
    );
    expect(found).toEqual([
      expect.stringMatching(/^tail-spin\/app-00: changed by r-a\/deploy at .*, outside its hold$/),
      expect.stringMatching(/^tail-spin\/app-00: changed by r-b\/deploy at .*, outside its hold$/),
      'tail-spin/app-00: changed by r-x/deploy, a release that never held it',
      'tail-spin/app-01: changed by r-a/deploy, a release of app-00',
    ]);
  });

  it('ignores changes nobody signed (the seed, a person with kubectl)', () => {
    expect(oneWriterViolations(spans(a), [write('', 5)], where)).toEqual([]);
  });
});
