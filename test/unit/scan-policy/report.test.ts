import { describe, expect, it } from 'vitest';
import { sharedText } from '../../helpers/fixtures.js';
import { parseTrivyReport } from '../../../src/services/scan-policy/index.js';
import { reportFixtures } from './helpers.js';

describe('parseTrivyReport', () => {
  it.each(reportFixtures())('parses %s', (name) => {
    const r = parseTrivyReport(sharedText('trivy', name));
    expect(r.ok, r.ok ? '' : r.error.message).toBe(true);
  });

  it('covers the shapes the gate must read', () => {
    expect(reportFixtures().length).toBeGreaterThanOrEqual(25);
    const skip = parseTrivyReport(sharedText('trivy', 'alpine-39-skip.json.golden'));
    expect(skip.ok && skip.value.Results).toBeUndefined();
  });

  it.each([
    ['{', /not valid JSON/],
    ['[]', /expected an object/],
    ['"text"', /expected an object/],
    ['{"Results": []}', /no SchemaVersion/],
    ['{"SchemaVersion": 1, "Results": []}', /SchemaVersion 1 \(expected 2\)/],
    ['{"SchemaVersion": 2, "Results": [{"Vulnerabilities": []}]}', /Results\.0\.Target/],
    ['{"SchemaVersion": 2, "Results": [{"Target": "x", "Vulnerabilities": [{"PkgName": "a"}]}]}', /VulnerabilityID/],
  ])('rejects %s naming the problem', (text, message) => {
    const r = parseTrivyReport(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.what).toBe('report');
      expect(r.error.message).toMatch(message);
    }
  });

  it('accepts already-parsed JSON and null slices', () => {
    const r = parseTrivyReport({ SchemaVersion: 2, Results: [{ Target: 't', Vulnerabilities: null, Secrets: null }] });
    expect(r.ok).toBe(true);
  });
});
