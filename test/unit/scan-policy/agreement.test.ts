/**
 * Trivy's own filtered output is the oracle: applying our policy to the unfiltered report of the
 * same image must leave exactly the vulnerabilities Trivy kept (SOURCES.md says which flags made
 * which golden file).
 */
import { describe, expect, it } from 'vitest';
import { evaluateScan, SEVERITIES, type ScanPolicy } from '../../../src/services/scan-policy/index.js';
import { blockingKeys, reportFixtures, sharedReport, vulnKeys } from './helpers.js';

const now = new Date('2024-06-01T00:00:00Z');
const all: ScanPolicy = { severities: [...SEVERITIES], ignoreUnfixed: false, blockSecrets: false };

const pairs: { unfiltered: string; filtered: string; flags: string; policy: ScanPolicy }[] = [
  {
    unfiltered: 'alpine-39.json.golden',
    filtered: 'alpine-39-high-critical.json.golden',
    flags: '--severity HIGH,CRITICAL',
    policy: { ...all, severities: ['HIGH', 'CRITICAL'] },
  },
  {
    unfiltered: 'centos-7.json.golden',
    filtered: 'centos-7-ignore-unfixed.json.golden',
    flags: '--ignore-unfixed',
    policy: { ...all, ignoreUnfixed: true },
  },
  {
    unfiltered: 'debian-buster.json.golden',
    filtered: 'debian-buster-ignore-unfixed.json.golden',
    flags: '--ignore-unfixed',
    policy: { ...all, ignoreUnfixed: true },
  },
];

describe('agreement with Trivy', () => {
  it.each(pairs)('$unfiltered + $flags = $filtered', ({ unfiltered, filtered, policy }) => {
    const expected = vulnKeys(sharedReport(filtered));
    const verdict = evaluateScan(sharedReport(unfiltered), policy, { now });
    expect(expected.length).toBeGreaterThan(0);
    expect(blockingKeys(verdict)).toEqual(expected);
    // And the filter really removed something, so the pair tests the policy.
    expect(vulnKeys(sharedReport(unfiltered)).length).toBeGreaterThan(expected.length);
  });

  it('the severity-filtered golden is a fixed point of its own policy', () => {
    const filtered = sharedReport('alpine-39-high-critical.json.golden');
    expect(blockingKeys(evaluateScan(filtered, { ...all, severities: ['HIGH', 'CRITICAL'] }, { now }))).toEqual(vulnKeys(filtered));
  });

  it('alpine-39-skip (skip-dirs: a scan-time option, not a filter) has no Results and passes', () => {
    const v = evaluateScan(sharedReport('alpine-39-skip.json.golden'), all, { now });
    expect(v.outcome).toBe('pass');
    expect(v.notes.join(' ')).toMatch(/no results/);
  });

  it.each(reportFixtures())('with every severity and no filters, %s blocks on exactly its vulnerabilities', (name) => {
    const report = sharedReport(name);
    expect(blockingKeys(evaluateScan(report, all, { now }))).toEqual(vulnKeys(report));
  });

  it('--ignore-unfixed drops every status but "fixed" (debian-stretch end_of_life, distroless affected)', () => {
    for (const name of ['debian-stretch.json.golden', 'distroless-base.json.golden']) {
      const v = evaluateScan(sharedReport(name), { ...all, ignoreUnfixed: true }, { now });
      expect(v.blocking.every((f) => f.status === 'fixed')).toBe(true);
      expect(v.ignored.length).toBeGreaterThan(0);
      expect(v.ignored.every((i) => i.reason.by === 'unfixed' && i.reason.status !== 'fixed')).toBe(true);
    }
  });
});
