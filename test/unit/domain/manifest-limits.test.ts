/**
 * Hostile YAML in k8s/apps: every case ends as a problem (the release is blocked with the reason on
 * its first tick), never as a throw (which wedged manifest releases behind the poison queue) nor a
 * crash of the process (deep nesting aborted V8 before the depth bound).
 */
import { describe, expect, it } from 'vitest';
import { parseManifests, type ManifestProblem } from '../../../src/services/domain/manifests.js';
import { YAML_LIMITS } from '../../../src/services/domain/manifest-yaml.js';

const problemsOf = (content: string, path = 'k8s/apps/x.yaml'): ManifestProblem[] =>
  parseManifests([{ path, content }], 'tail-spin').problems;
const configMap = (name: string, data = 'data: {a: "1"}') => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\n${data}\n`;

/** The "billion laughs" of YAML: nine aliases per level, nine levels (9^9 strings once expanded). */
const ALIAS_BOMB = [
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata: {name: bomb}',
  'data:',
  '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'.split('').map((l, i) => `  ${l}: &${l} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
].join('\n');

describe('YAML limits', () => {
  it('an alias bomb is a problem on its document, not a throw', () => {
    expect(problemsOf(`${configMap('ok')}---\n${ALIAS_BOMB}`)).toEqual([
      {
        path: 'k8s/apps/x.yaml',
        document: 2,
        reason: `YAML: aliases expand beyond the limit of ${YAML_LIMITS.maxAliasCount} (an alias bomb?)`,
      },
    ]);
  });

  it('a few aliases are fine', () => {
    const content = configMap('a', 'data: &d {x: "1"}\nbinaryData: {}\nmetadata2: [*d, *d, *d]');
    const { objects, problems } = parseManifests([{ path: 'a.yaml', content }], 'tail-spin');
    expect(problems).toEqual([]);
    expect(objects[0]?.metadata2).toEqual([{ x: '1' }, { x: '1' }, { x: '1' }]);
  });

  it('an alias does not reach into the next document', () => {
    expect(problemsOf(`${configMap('a', 'data: &d {x: "1"}')}---\n${configMap('b', 'data: *d')}`)).toEqual([
      { path: 'k8s/apps/x.yaml', document: 2, reason: expect.stringMatching(/^YAML: .*alias/i) },
    ]);
  });

  it('an unresolved alias is a problem', () => {
    expect(problemsOf(configMap('a', 'data: *nowhere'))[0]?.reason).toMatch(/^YAML: /);
  });

  it.each([
    ['flow', `${'['.repeat(10_000)}${']'.repeat(10_000)}`],
    ['flow, never closed', '{'.repeat(200_000)],
    ['compact block sequences', `${'- '.repeat(10_000)}x`],
    ['indented mappings', Array.from({ length: 200 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')],
  ])('nesting deeper than the bound (%s) is refused before composing', (_what, content) => {
    expect(problemsOf(`${configMap('ok')}---\n${content}`)).toEqual([
      { path: 'k8s/apps/x.yaml', document: 2, reason: `YAML: nested deeper than ${YAML_LIMITS.maxDepth} levels` },
    ]);
  });

  it('more than 100 documents in one file, or across files, stops parsing', () => {
    expect(problemsOf('---\n'.repeat(100_000))).toEqual([
      { path: 'k8s/apps/x.yaml', document: 101, reason: 'more than 100 YAML documents' },
    ]);
    const files = Array.from({ length: 3 }, (_, f) => ({
      path: `k8s/apps/f${f}.yaml`,
      content: Array.from({ length: 40 }, (_, i) => configMap(`c${f}-${i}`)).join('---\n'),
    }));
    const { problems } = parseManifests(files, 'tail-spin');
    expect(problems).toEqual([{ path: 'k8s/apps/f2.yaml', document: 21, reason: 'more than 100 YAML documents' }]);
  });

  it('a file over the size limit is refused unread; so are files over the total', () => {
    const big = configMap('big', `data: {a: "${'x'.repeat(YAML_LIMITS.maxFileBytes)}"}`);
    expect(problemsOf(big)).toEqual([
      { path: 'k8s/apps/x.yaml', document: 0, reason: expect.stringMatching(/^file is \d+ bytes, more than the 524288 allowed$/) },
    ]);
    const half = configMap('h', `data: {a: "${'x'.repeat(YAML_LIMITS.maxFileBytes - 200)}"}`);
    const { problems } = parseManifests(
      [0, 1, 2].map((i) => ({ path: `k8s/apps/${i}.yaml`, content: half.replace('{name: h}', `{name: h${i}}`) })),
      'tail-spin',
    );
    expect(problems).toEqual([{ path: '(all)', document: 0, reason: 'manifests are more than 1048576 bytes together' }]);
  });

  it('duplicate keys are a problem (found in one pass: a file of 40 k keys parses)', () => {
    expect(problemsOf(configMap('a', 'data: {a: "1", a: "2"}'))).toEqual([
      { path: 'k8s/apps/x.yaml', document: 1, reason: 'YAML: duplicate key "a" (line 4, column 16)' },
    ]);
    const keys = Array.from({ length: 40_000 }, (_, i) => `  k${i}: v`).join('\n');
    expect(problemsOf(configMap('many', `data:\n${keys}`))).toEqual([]);
    expect(problemsOf(configMap('many', `data:\n${keys}\n  k7: again`))[0]?.reason).toMatch(/^YAML: duplicate key "k7"/);
  });

  it('a collection as a mapping key is a problem', () => {
    expect(problemsOf(configMap('a', 'data: {[a]: "1"}'))[0]?.reason).toMatch(/^YAML: mapping keys must be plain scalars/);
  });

  it('YAML errors keep their position', () => {
    expect(problemsOf('a: [unclosed')[0]?.reason).toMatch(/^YAML: .* \(line 1, column \d+\)$/);
  });
});
