import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { pathUri, trivyToSarif } from '../../../src/services/sarif/from-trivy.js';
import { ownFixtures, sharedText } from '../../helpers/fixtures.js';

const json = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

/**
 * The OASIS schema is draft-04: its `id` is draft-07's `$id`; nothing else differs for this schema.
 * String formats (uri, date-time) are not checked: ajv needs a plugin for them that is not a dependency.
 */
const validate = (() => {
  const { id, $schema: _draft, ...rest } = json(join(ownFixtures, 'sarif', 'sarif-schema-2.1.0.json')) as Record<string, unknown>;
  return new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile({ $id: String(id), ...rest });
})();

describe('Trivy JSON → SARIF', () => {
  const report = JSON.parse(sharedText('trivy', 'alpine-310.json.golden')) as unknown;
  const golden = json(join(ownFixtures, 'sarif', 'alpine-310.sarif.golden'));

  it("equals Trivy's own SARIF for alpine-310", () => {
    const out = trivyToSarif(report);
    expect(out.ok).toBe(true);
    expect(out.ok && out.value).toEqual(golden);
  });

  it('validates against the SARIF 2.1.0 schema (and the golden does too)', () => {
    const out = trivyToSarif(report);
    expect(validate(golden)).toBe(true);
    expect(out.ok && validate(out.value), JSON.stringify(validate.errors)).toBe(true);
  });

  it('the schema check has teeth: a result without a message is refused', () => {
    const out = trivyToSarif(report);
    if (!out.ok) throw new Error(out.error);
    const broken = structuredClone(out.value) as unknown as { runs: { results: Record<string, unknown>[] }[] };
    delete broken.runs[0]!.results[0]!.message;
    expect(validate(broken)).toBe(false);
  });

  it('converts every golden report the gate reads, each valid SARIF', () => {
    for (const name of [
      'alpine-39.json.golden',
      'secrets.json.golden',
      'dockerfile.json.golden',
      'npm.json.golden',
      'centos-7.json.golden',
    ]) {
      const out = trivyToSarif(JSON.parse(sharedText('trivy', name)));
      expect(out.ok, name).toBe(true);
      expect(out.ok && validate(out.value), `${name}: ${JSON.stringify(validate.errors?.slice(0, 2))}`).toBe(true);
    }
  });

  it('maps severities to levels and keeps blocking findings as errors', () => {
    const out = trivyToSarif(JSON.parse(sharedText('trivy', 'alpine-39-high-critical.json.golden')));
    if (!out.ok) throw new Error(out.error);
    const levels = new Set(out.value.runs[0]!.results.map((r) => r.level));
    expect([...levels]).toEqual(['error']);
  });

  it('refuses what is not a Trivy report', () => {
    expect(trivyToSarif({ Results: 'nope' }).ok).toBe(false);
    expect(trivyToSarif(null).ok).toBe(false);
  });

  it('reduces an OS target to the image repository, as Trivy does', () => {
    expect(pathUri('tailspinacr.azurecr.io/tailspin-server@sha256:abc (alpine 3.19.1)', 'os-pkgs')).toBe('tailspin-server');
    expect(pathUri('localhost:5000/team/app:1.2 (debian 12)', 'os-pkgs')).toBe('team/app');
    expect(pathUri('testdata/fixtures/images/alpine-310.tar.gz (alpine 3.10.2)', 'os-pkgs')).toBe(
      'testdata/fixtures/images/alpine-310.tar.gz',
    );
    expect(pathUri('app\\package-lock.json', 'lang-pkgs')).toBe('app/package-lock.json');
  });
});
