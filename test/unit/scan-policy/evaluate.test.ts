import { describe, expect, it } from 'vitest';
import { evaluateScan, parseTrivyReport, type ScanPolicy, type TrivyReport } from '../../../src/services/scan-policy/index.js';
import { ownReport, sharedIgnore, sharedReport } from './helpers.js';

const high: ScanPolicy = { severities: ['HIGH', 'CRITICAL'], ignoreUnfixed: false, blockSecrets: false };
const at = (iso: string) => ({ now: new Date(iso) });
const short = (v: ReturnType<typeof evaluateScan>) => v.blocking.map((f) => `${f.target} ${f.id} ${f.pkgName ?? ''}`.trim());

describe('ignore files against a hand-made report (paths, purls, expiry, aliases)', () => {
  const report = ownReport('ignore-matrix.report.json');
  const policy: ScanPolicy = {
    ...high,
    blockSecrets: true,
    blockMisconfigAt: 'HIGH',
    ignoreFile: sharedIgnore('trivy-testdata.trivyignore.yaml'),
  };
  const v = evaluateScan(report, policy, at('2022-06-01T00:00:00Z'));

  it('blocks exactly what no active entry covers', () => {
    expect(short(v)).toEqual([
      'bar/package.json CVE-2019-0001 bar', // "**/*-lock.json" does not match package.json
      'foo/package-lock.json CVE-2019-0002 foo', // paths: bar/package.json only
      'foo/package-lock.json CVE-2019-0006 foo', // expired 2020-01-01
      'go.mod CVE-2019-0007 github.com/aquasecurity/aaa', // purl pins aaa@9.9.9
      'app/Dockerfile ID300', // paths: docs/Dockerfile only
      'bar/secret.txt generic-wanted-rule', // paths: foo/secret.txt only
    ]);
    expect(v.outcome).toBe('blocked');
  });

  it('says which entry ignored what', () => {
    const why = v.ignored.map(
      (i) =>
        `${i.finding.target} ${i.finding.pkgName ?? i.finding.id} <- ${i.reason.by === 'ignorefile' ? `${i.reason.id}:${i.reason.line}` : i.reason.by}`,
    );
    expect(why).toEqual([
      'foo/package-lock.json foo <- CVE-2019-0001:2',
      'foo/package-lock.json foo <- CVE-2019-0003:8',
      'foo/package-lock.json foo <- CVE-2019-0005:12',
      'bar/package.json bar <- CVE-2019-0004:9',
      'go.mod github.com/aquasecurity/bar <- CVE-2019-0007:16',
      // No PURL on the finding: Trivy lets a purls-constrained entry apply.
      'go.mod github.com/aquasecurity/baz <- CVE-2019-0007:16',
      'app/Dockerfile ID100 <- ID100:22',
      'app/Dockerfile ID200 <- ID200:23',
      'app/Dockerfile ID400 <- AVD-ID400:29',
      'foo/secret.txt generic-unwanted-rule <- generic-unwanted-rule:31',
      'a/config.yaml generic-unwanted-rule2 <- generic-unwanted-rule2:32',
    ]);
  });

  it('reports expired entries as stale and when the verdict must be re-evaluated', () => {
    expect(v.staleIgnores.map((s) => `${s.id} ${s.expiredAt}`)).toEqual(['CVE-2019-0006 2020-01-01']);
    expect(v.reevaluateAfter).toBe('2023-01-01T00:00:00.000Z');
    expect(v.unusedIgnores.map((u) => u.id)).toContain('GPL-3.0');
    const later = evaluateScan(report, policy, at('2023-01-02T00:00:00Z'));
    expect(later.staleIgnores.map((s) => s.id)).toEqual(['CVE-2019-0005', 'CVE-2019-0006']);
    expect(short(later)).toContain('foo/package-lock.json CVE-2019-0005 foo');
  });

  it('misconfigurations and secrets block only when asked', () => {
    const quiet = evaluateScan(report, { ...policy, blockSecrets: false, blockMisconfigAt: undefined }, at('2022-06-01T00:00:00Z'));
    expect(quiet.blocking.every((f) => f.kind === 'vulnerability')).toBe(true);
    expect(quiet.counts.misconfigurations.HIGH).toBe(4); // the PASS check is not a finding
    expect(quiet.counts.secrets.HIGH).toBe(3);
    const critOnly = evaluateScan(report, { ...policy, blockMisconfigAt: 'CRITICAL' }, at('2022-06-01T00:00:00Z'));
    expect(critOnly.blocking.some((f) => f.kind === 'misconfiguration')).toBe(false);
  });
});

describe('evaluateScan on real reports', () => {
  it('documented .trivyignore: exp: keeps musl ignored until 2023-01-01, stale afterwards', () => {
    const policy = { ...high, ignoreFile: sharedIgnore('trivy-docs-filtering.trivyignore') };
    const before = evaluateScan(sharedReport('alpine-39.json.golden'), policy, at('2022-12-31T12:00:00Z'));
    expect(before.outcome).toBe('pass');
    expect(before.ignored).toHaveLength(2);
    expect(before.reevaluateAfter).toBe('2023-01-01T00:00:00.000Z');
    const after = evaluateScan(sharedReport('alpine-39.json.golden'), policy, at('2023-01-01T00:00:01Z'));
    expect(after.outcome).toBe('blocked');
    expect(after.staleIgnores).toEqual([
      {
        file: 'trivy-docs-filtering.trivyignore',
        id: 'CVE-2019-14697',
        sections: ['vulnerabilities', 'misconfigurations', 'secrets', 'licenses'],
        line: 5,
        expiredAt: '2023-01-01',
      },
    ]);
  });

  it('misconfiguration ID "DS-0002" is matched by its old alias "AVD-DS-0002"', () => {
    const policy: ScanPolicy = { ...high, blockMisconfigAt: 'HIGH', ignoreFile: sharedIgnore('trivy-docs-filtering.trivyignore') };
    const v = evaluateScan(sharedReport('dockerfile.json.golden'), policy, at('2024-01-01T00:00:00Z'));
    expect(v.outcome).toBe('pass');
    expect(v.ignored[0]?.reason).toMatchObject({ by: 'ignorefile', id: 'AVD-DS-0002' });
  });

  it('blocks on secrets with --block-secrets, and an ignore entry with a statement covers one', () => {
    const secrets = sharedReport('secrets.json.golden');
    expect(evaluateScan(secrets, high, at('2024-01-01')).outcome).toBe('pass');
    const yaml = sharedIgnore('trivy-docs-filtering.trivyignore.yaml');
    const v = evaluateScan(secrets, { ...high, blockSecrets: true, ignoreFile: yaml }, at('2024-01-01'));
    expect(v.blocking.map((f) => f.id)).toEqual(['mysecret']);
    expect(v.ignored.map((i) => i.finding.id)).toEqual(['aws-access-key-id']);
  });

  it('records the Trivy version and says the DB version is unknown rather than inventing it', () => {
    const v = evaluateScan(sharedReport('trivy-action__alpine-3.10-image.report.json'), high, at('2024-01-01'));
    expect(v.trivy).toEqual({ version: '0.72.0', db: null });
    expect(v.notes.join(' ')).toMatch(/DB version unknown/);
    expect(v.notes.join(' ')).toMatch(/alpine 3\.10\.9 is end-of-life/);
    expect(v.artifact).toEqual({ name: 'alpine:3.10', type: 'container_image', os: 'alpine 3.10.9', eosl: true });
    const withDb = evaluateScan(sharedReport('alpine-310.json.golden'), high, {
      now: new Date('2024-01-01'),
      db: { version: 2, updatedAt: '2024-01-01T00:00:00Z' },
    });
    expect(withDb.trivy.db).toEqual({ version: 2, updatedAt: '2024-01-01T00:00:00Z' });
  });

  it('treats a missing severity as UNKNOWN and drops duplicates like Trivy', () => {
    const r = parseTrivyReport({
      SchemaVersion: 2,
      Results: [
        {
          Target: 't',
          Vulnerabilities: [
            { VulnerabilityID: 'X-1', PkgName: 'p', InstalledVersion: '1', FixedVersion: '2', Status: 'fixed' },
            { VulnerabilityID: 'X-1', PkgName: 'p', InstalledVersion: '1', FixedVersion: '3', Status: 'fixed' },
          ],
        },
      ],
    });
    const report = (r as { value: TrivyReport }).value;
    const v = evaluateScan(report, { ...high, severities: ['UNKNOWN'] }, at('2024-01-01'));
    expect(v.blocking).toHaveLength(1);
    expect(v.blocking[0]).toMatchObject({ severity: 'UNKNOWN', fixedVersion: '3' });
    expect(v.counts.vulnerabilities.UNKNOWN).toBe(1);
  });

  it('unfixed: Status decides; without Status an empty FixedVersion does', () => {
    const mk = (extra: object) => ({ VulnerabilityID: 'X', PkgName: 'p', InstalledVersion: '1', Severity: 'HIGH', ...extra });
    const r = parseTrivyReport({
      SchemaVersion: 2,
      Results: [
        {
          Target: 't',
          Vulnerabilities: [
            mk({ PkgName: 'a', Status: 'fix_deferred', FixedVersion: '2' }),
            mk({ PkgName: 'b' }),
            mk({ PkgName: 'c', FixedVersion: '2' }),
            mk({ PkgName: 'd', Status: 'fixed', FixedVersion: '2' }),
          ],
        },
      ],
    });
    const v = evaluateScan((r as { value: TrivyReport }).value, { ...high, ignoreUnfixed: true }, at('2024-01-01'));
    expect(v.blocking.map((f) => f.pkgName)).toEqual(['c', 'd']);
    expect(v.ignored.map((i) => i.reason)).toEqual([
      { by: 'unfixed', status: 'fix_deferred' },
      { by: 'unfixed', status: 'unknown' },
    ]);
  });
});
