import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sharedText } from '../../helpers/fixtures.js';
import {
  formatTrivyIgnore,
  isExpired,
  parseIgnoreFile,
  parseTrivyIgnore,
  parseTrivyIgnoreYaml,
} from '../../../src/services/scan-policy/index.js';
import { ignoreFixtures, sharedIgnore } from './helpers.js';

const ids = (text: string) => parseTrivyIgnore(text).entries.map((e) => e.id);

describe('ignore files from the fixtures', () => {
  it.each(ignoreFixtures())('parses %s', (name) => {
    const r = parseIgnoreFile(name, sharedText('trivy', name));
    expect(r.ok, r.ok ? '' : r.error.message).toBe(true);
    expect(r.ok && r.value.entries.length).toBeGreaterThan(0);
  });

  it('reads .trivyignore IDs, comments and exp: dates (trivy testdata)', () => {
    const f = sharedIgnore('trivy-testdata.trivyignore');
    expect(f.format).toBe('trivyignore');
    expect(f.entries.map((e) => e.id)).toEqual([
      'CVE-2019-0001',
      'CVE-2019-0002',
      'CVE-2019-0004',
      'CVE-2019-0005',
      'CVE-2019-0006',
      'ID300',
      'AVD-ID400',
      'generic-unwanted-rule',
      'GPL-3.0',
    ]);
    const byId = Object.fromEntries(f.entries.map((e) => [e.id, e]));
    expect(byId['CVE-2019-0004']?.expiredAt).toBe('2020-01-01');
    expect(byId['CVE-2019-0006']?.expiredAt).toBe('9999-01-01');
    expect(byId['CVE-2019-0006']?.line).toBe(6);
    expect(byId.ID300?.sections).toEqual(['vulnerabilities', 'misconfigurations', 'secrets', 'licenses']);
  });

  it('reads the documented .trivyignore.yaml with statements, paths, purls and expiry', () => {
    const f = sharedIgnore('trivy-docs-filtering.trivyignore.yaml');
    expect(f.format).toBe('trivyignore-yaml');
    const first = f.entries[0]!;
    expect(first).toMatchObject({ id: 'CVE-2022-40897', sections: ['vulnerabilities'], statement: 'Accept the risk', line: 2 });
    expect(f.entries.find((e) => e.id === 'CVE-2023-3817')?.purls).toEqual(['pkg:deb/debian/libssl1.1']);
    expect(f.entries.find((e) => e.id === 'CVE-2023-29491')?.expiredAt).toBe('2023-09-01');
    expect(f.entries.find((e) => e.id === 'AVD-DS-0002')).toMatchObject({ sections: ['misconfigurations'], paths: ['docs/Dockerfile'] });
    // YAML comments after an id are not part of it.
    expect(f.entries.filter((e) => e.sections[0] === 'licenses').map((e) => e.id)).toEqual([
      'GPL-3.0',
      'MIT AND GPL-2.0-or-later',
      'Apache-2.0 WITH LLVM-exception',
      'LLVM-exception',
    ]);
  });

  it('picks YAML by extension or by content', () => {
    const yaml = sharedText('trivy', 'trivy-action__.trivyignore.yaml');
    expect(parseIgnoreFile('policy/ignores', yaml)).toMatchObject({ ok: true, value: { format: 'trivyignore-yaml' } });
    expect(parseIgnoreFile('x.yml', 'secrets: []\n')).toMatchObject({ ok: true, value: { format: 'trivyignore-yaml' } });
    expect(parseIgnoreFile('.trivyignore', 'CVE-1\n')).toMatchObject({ ok: true, value: { format: 'trivyignore' } });
  });
});

describe('.trivyignore semantics', () => {
  it('takes the first field as the ID and ignores the rest except exp:', () => {
    expect(ids('CVE-1 exp:2030-01-01 key2:value2\n  CVE-2  # why\n#CVE-3\n\r\n')).toEqual(['CVE-1', 'CVE-2']);
  });

  it('skips a line with an unparseable expiry, as Trivy does, and says so', () => {
    const f = parseTrivyIgnore('CVE-1 exp:2030-13-01\nCVE-2 exp:tomorrow\nCVE-3\n', 'my.trivyignore');
    expect(f.entries.map((e) => e.id)).toEqual(['CVE-3']);
    expect(f.warnings).toHaveLength(2);
    expect(f.warnings[0]).toMatch(/^my\.trivyignore:1: "CVE-1" skipped/);
  });

  it('expires strictly after midnight UTC of the exp: date', () => {
    const [e] = parseTrivyIgnore('CVE-1 exp:2024-03-01').entries;
    expect(isExpired(e!, new Date('2024-03-01T00:00:00Z'))).toBe(false);
    expect(isExpired(e!, new Date('2024-03-01T00:00:00.001Z'))).toBe(true);
  });
});

describe('.trivyignore.yaml validation', () => {
  it.each([
    ['vulnerabilities: [\n', /not valid YAML at line/],
    ['- CVE-1\n', /expected a mapping/],
    ['vulnerabilities:\n  - id: CVE-1\n    expired_at: soon\n', /expired_at "soon" is not a date/],
    ['vulnerabilities:\n  - id: CVE-1\n    paths: ["a/[b"]\n', /invalid path pattern "a\/\[b"/],
    ['vulnerabilities:\n  - id: CVE-1\n    purls: ["npm/foo"]\n', /invalid purl "npm\/foo"/],
    ['vulnerabilities: 3\n', /vulnerabilities/],
  ])('rejects %j', (text, message) => {
    const r = parseTrivyIgnoreYaml(text, 'ignore.yaml');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(message);
  });

  it('accepts empty files and sections, warns on unknown sections and id-less entries', () => {
    expect(parseTrivyIgnoreYaml('')).toMatchObject({ ok: true, value: { entries: [] } });
    const r = parseTrivyIgnoreYaml('vulnerabilities:\nsecrets:\n  - statement: no id\nvulnerabilites:\n  - id: typo\n');
    expect(r.ok && r.value.entries).toEqual([]);
    expect(r.ok && r.value.warnings.join('\n')).toMatch(/unknown section "vulnerabilites"[\s\S]*without id/);
  });

  it('keeps scalar ids literally (yaml.v3 decodes scalars into Go strings)', () => {
    const r = parseTrivyIgnoreYaml('secrets:\n  - id: 0012\n    expired_at: 2030-01-01T10:00:00Z\n');
    expect(r.ok && r.value.entries[0]).toMatchObject({ id: '0012', expiredAt: '2030-01-01T10:00:00Z' });
  });
});

describe('ignore-file parser properties', () => {
  const dateArb = fc
    .date({ min: new Date('1970-01-01'), max: new Date('9999-12-31'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10));
  const idArb = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,30}$/).filter((s) => !s.startsWith('exp:'));

  it('parseTrivyIgnore never throws and returns one entry or warning per non-comment line', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
        const f = parseTrivyIgnore(text);
        const meaningful = text.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#')).length;
        expect(f.entries.length + f.warnings.length).toBe(meaningful);
        for (const e of f.entries) expect(e.id).not.toMatch(/\s/);
      }),
      { numRuns: 300 },
    );
  });

  it('formatTrivyIgnore → parseTrivyIgnore round-trips IDs and expiry', () => {
    const entry = fc.record({ id: idArb, expiredAt: fc.option(dateArb, { nil: undefined }) });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 20 }), (entries) => {
        const back = parseTrivyIgnore(formatTrivyIgnore(entries)).entries.map((e) => ({ id: e.id, expiredAt: e.expiredAt }));
        expect(back).toEqual(entries);
      }),
      { numRuns: 200 },
    );
  });

  it('parseTrivyIgnoreYaml and parseIgnoreFile never throw on arbitrary text', () => {
    const yamlish = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc
        .array(
          fc.constantFrom(
            'vulnerabilities:',
            'secrets:',
            '  - id: X',
            '    paths: ["**/a"]',
            '    purls: [pkg:npm/a]',
            '    expired_at: 2020-01-01',
            '  -',
            '&a [*a]',
            '{',
            ': :',
            '\t',
          ),
          { maxLength: 12 },
        )
        .map((ls) => ls.join('\n')),
    );
    fc.assert(
      fc.property(yamlish, fc.constantFrom('.trivyignore', '.trivyignore.yaml'), (text, name) => {
        const r = parseIgnoreFile(name, text);
        expect(typeof r.ok).toBe('boolean');
        if (!r.ok) expect(r.error.message.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it('YAML entries written out come back with the same fields', () => {
    const entry = fc.record({
      id: idArb,
      paths: fc.array(fc.stringMatching(/^[a-z0-9*_./-]{1,20}$/), { maxLength: 3 }),
      expired_at: fc.option(dateArb, { nil: undefined }),
      statement: fc.option(fc.stringMatching(/^[A-Za-z][A-Za-z ,.]{0,30}[a-z]$/), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 6 }), (entries) => {
        const text =
          'misconfigurations:\n' +
          entries
            .map((e) =>
              [
                `  - id: "${e.id}"`,
                `    paths: [${e.paths.map((p) => JSON.stringify(p)).join(', ')}]`,
                e.expired_at && `    expired_at: ${e.expired_at}`,
                e.statement && `    statement: "${e.statement}"`,
              ]
                .filter(Boolean)
                .join('\n'),
            )
            .join('\n');
        const r = parseTrivyIgnoreYaml(text);
        expect(r.ok, r.ok ? '' : r.error.message).toBe(true);
        if (!r.ok) return;
        expect(r.value.entries.map((e) => ({ id: e.id, paths: e.paths, expired_at: e.expiredAt, statement: e.statement }))).toEqual(
          entries,
        );
      }),
      { numRuns: 60 },
    );
  });
});
