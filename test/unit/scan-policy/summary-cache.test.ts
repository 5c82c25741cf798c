import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  COMMIT_STATUS_MAX,
  evaluateScan,
  parseTrivyIgnore,
  verdictCacheKey,
  verdictStatusLine,
  type ScanPolicy,
} from '../../../src/services/scan-policy/index.js';
import { reportFixtures, sharedIgnore, sharedReport } from './helpers.js';

const now = { now: new Date('2024-01-01T00:00:00Z') };
const high: ScanPolicy = { severities: ['HIGH', 'CRITICAL'], ignoreUnfixed: false, blockSecrets: false };
const digest = 'sha256:' + 'a'.repeat(64);

describe('verdictStatusLine', () => {
  it('names counts and the worst finding', () => {
    expect(verdictStatusLine(evaluateScan(sharedReport('alpine-39.json.golden'), high, now))).toBe(
      'blocked: 2 CRITICAL (CVE-2019-14697 in musl +1 more)',
    );
    expect(verdictStatusLine(evaluateScan(sharedReport('pom.json.golden'), high, now))).toMatch(
      /^blocked: 1 CRITICAL, 1 HIGH \(CVE-2020-9548 in com\.fasterxml/,
    );
    expect(verdictStatusLine(evaluateScan(sharedReport('alpine-310.json.golden'), high, now))).toBe('passed: no HIGH/CRITICAL findings');
    const ignored = evaluateScan(
      sharedReport('alpine-39.json.golden'),
      { ...high, ignoreFile: sharedIgnore('trivy-docs-filtering.trivyignore') },
      { now: new Date('2022-01-01') },
    );
    expect(verdictStatusLine(ignored)).toBe('passed: no HIGH/CRITICAL findings (2 ignored)');
  });

  it.each(reportFixtures())("fits GitHub's 140 characters for %s under any policy", (name) => {
    const report = sharedReport(name);
    for (const severities of [['CRITICAL'], ['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL']] as const) {
      const line = verdictStatusLine(
        evaluateScan(report, { ...high, severities: [...severities], blockSecrets: true, blockMisconfigAt: 'LOW' }, now),
      );
      expect(line.length).toBeLessThanOrEqual(COMMIT_STATUS_MAX);
    }
  });

  it('shortens a long package name but keeps the counts', () => {
    const v = evaluateScan(sharedReport('pom.json.golden'), high, now);
    const long = { ...v, blocking: v.blocking.map((f) => ({ ...f, pkgName: 'x'.repeat(300) })) };
    const line = verdictStatusLine(long);
    expect(line.length).toBe(COMMIT_STATUS_MAX);
    expect(line.startsWith('blocked: 1 CRITICAL, 1 HIGH (CVE-2020-9548 in xxx')).toBe(true);
    expect(line.endsWith('…)')).toBe(true);
  });
});

describe('verdictCacheKey', () => {
  it('is stable under order, case and comments, and changes with anything that changes the verdict', () => {
    const base = verdictCacheKey(digest, high);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(verdictCacheKey(digest.toUpperCase().replace('SHA256', 'sha256'), { ...high, severities: ['CRITICAL', 'HIGH'] })).toBe(base);
    const a = parseTrivyIgnore('# one\nCVE-1\nCVE-2 exp:2030-01-01\n');
    const b = parseTrivyIgnore('CVE-2 exp:2030-01-01\n\n# two\nCVE-1\n', 'other-name');
    expect(verdictCacheKey(digest, { ...high, ignoreFile: a })).toBe(verdictCacheKey(digest, { ...high, ignoreFile: b }));
    const different = [
      verdictCacheKey('sha256:' + 'b'.repeat(64), high),
      verdictCacheKey(digest, { ...high, severities: ['CRITICAL'] }),
      verdictCacheKey(digest, { ...high, ignoreUnfixed: true }),
      verdictCacheKey(digest, { ...high, blockSecrets: true }),
      verdictCacheKey(digest, { ...high, blockMisconfigAt: 'HIGH' }),
      verdictCacheKey(digest, { ...high, ignoreFile: a }),
      verdictCacheKey(digest, { ...high, ignoreFile: parseTrivyIgnore('CVE-1\nCVE-2 exp:2031-01-01\n') }),
    ];
    expect(new Set([base, ...different]).size).toBe(different.length + 1);
  });

  it('is a pure function of its inputs', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[A-Z0-9-]{1,12}$/), { maxLength: 8 }), (ids) => {
        const f = parseTrivyIgnore(ids.join('\n'));
        const g = parseTrivyIgnore([...ids].reverse().join('\n'));
        expect(verdictCacheKey(digest, { ...high, ignoreFile: f })).toBe(verdictCacheKey(digest, { ...high, ignoreFile: g }));
      }),
      { numRuns: 100 },
    );
  });
});
