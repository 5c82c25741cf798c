/**
 * The adapter's KQL under Microsoft's Kusto language service: every shape it can build analyses
 * without errors against the documented AppRequests schema, and hostile values stay inside their
 * literal (same syntax tree, same decoded value).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildRequestsQuery, kqlString, PING_QUERY, validateQuery } from '../../../src/services/adapters/monitor/kql.js';
import { analyzeKql, APP_REQUESTS_COLUMNS, kqlErrors, kustoLoadMs, type KqlAnalysis } from '../../../src/sandbox/monitor/kusto-check.js';
import { recogniseQuery } from '../../../src/sandbox/monitor/query-shape.js';
import { sharedJson, sharedText } from '../../helpers/fixtures.js';

const from = new Date('2026-03-01T10:00:00.000Z');
const to = new Date('2026-03-01T10:05:00.000Z');
const kinds = (a: KqlAnalysis) => a.nodes.map((n) => n.kind);
const literals = (a: KqlAnalysis) => a.nodes.filter((n) => n.literal !== undefined).map((n) => n.literal);

const HOSTILE = [
  "x' or 1==1 //",
  'x" or 1==1 //',
  '"; drop table AppRequests',
  'a\nb',
  'a\r\n| take 1000',
  'x | where true',
  '\\',
  '\\"',
  'ends with backslash\\',
  '\u2018smart\u2019 \u201cquotes\u201d \uff02fullwidth\uff02',
  '\u2028line separator',
  '\u0000nul',
  "@'verbatim'",
  'h"obfuscated"',
  '😀 emoji',
  '',
];

beforeAll(() => {
  analyzeKql(PING_QUERY); // load + warm the language service once for the file
}, 60_000);

describe('buildRequestsQuery', () => {
  it('builds the documented shape, with and without a version', () => {
    expect(buildRequestsQuery({ roleName: 'tailspin-server', from, to })).toBe(
      [
        'AppRequests',
        '| where TimeGenerated >= datetime(2026-03-01T10:00:00.000Z) and TimeGenerated < datetime(2026-03-01T10:05:00.000Z)',
        '| where AppRoleName == "tailspin-server"',
        '| summarize requests = sum(ItemCount), failures = sumif(ItemCount, Success == false), p95Ms = percentilew(DurationMs, ItemCount, 95), retainedRequests = count(), retainedFailures = countif(Success == false)',
      ].join('\n'),
    );
    expect(buildRequestsQuery({ roleName: 'tailspin-server', version: 'sha256:abc', from, to })).toContain(
      '\n| where AppVersion == "sha256:abc"\n',
    );
  });

  it('has no Kusto diagnostics and yields exactly requests, failures, p95Ms and the retained-row counts — for every role, version and window', () => {
    console.info(`Kusto language service loaded in ${Math.round(kustoLoadMs() ?? -1)} ms`);
    const role = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,40}$/);
    const version = fc.option(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:+@-]{0,40}$/), { nil: undefined });
    const start = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2090-01-01T00:00:00Z'), noInvalidDate: true });
    fc.assert(
      fc.property(role, version, start, fc.integer({ min: 1, max: 86_400_000 }), (roleName, v, f, span) => {
        const q = { roleName, ...(v !== undefined ? { version: v } : {}), from: f, to: new Date(f.getTime() + span) };
        expect(validateQuery(q)).toBeUndefined();
        const a = analyzeKql(buildRequestsQuery(q));
        expect(a.diagnostics).toEqual([]);
        expect(a.resultColumns).toEqual(['requests', 'failures', 'p95Ms', 'retainedRequests', 'retainedFailures']);
      }),
      { numRuns: 40 },
    );
  });

  it('the ping query is valid too', () => {
    const a = analyzeKql(PING_QUERY);
    expect(a.diagnostics).toEqual([]);
    expect(a.resultColumns).toEqual(['Count']);
  });

  it('the checker is real: a misspelt column or function is an error', () => {
    const q = buildRequestsQuery({ roleName: 'tailspin-server', from, to });
    const col = kqlErrors(analyzeKql(q.replace('AppRoleName', 'AppRoleNam')));
    expect(col.map((d) => d.code)).toEqual(['KS142']);
    expect(col[0]?.message).toContain('AppRoleNam');
    expect(kqlErrors(analyzeKql(q.replace('percentilew', 'percentilw'))).length).toBeGreaterThan(0);
    expect(kqlErrors(analyzeKql(q.replace('| summarize', 'summarize'))).length).toBeGreaterThan(0);
  });
});

describe('literals cannot change the query structure', () => {
  const baseline = analyzeKqlLazy(() => buildRequestsQuery({ roleName: 'benign', version: 'v1', from, to }));

  it.each(HOSTILE)('role and version %j stay one literal each', (value) => {
    const a = analyzeKql(buildRequestsQuery({ roleName: value, version: value, from, to }));
    expect(kqlErrors(a)).toEqual([]);
    expect(kinds(a)).toEqual(kinds(baseline()));
    expect(literals(a).slice(2, 4)).toEqual([value, value]);
  });

  it('any string round-trips through kqlString (fast-check, full unicode)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (value) => {
        const a = analyzeKql(`print x = ${kqlString(value)}`);
        expect(kqlErrors(a)).toEqual([]);
        expect(a.nodes.filter((n) => n.literal !== undefined).map((n) => n.literal)).toEqual([value]);
      }),
      { numRuns: 60 },
    );
  });

  it('the adapter refuses hostile values before building anything', () => {
    for (const value of HOSTILE) {
      expect(validateQuery({ roleName: value, from, to })?.field).toBe('roleName');
      expect(validateQuery({ roleName: 'ok', version: value, from, to })?.field).toBe('version');
    }
    expect(validateQuery({ roleName: 'ok', from: to, to: from })?.field).toBe('to');
  });
});

describe('the fake recognises exactly the adapter shape', () => {
  it('decodes role, version and window from any query the adapter builds', () => {
    for (const version of [undefined, 'v1', '1.2.3+build.7', 'sha256:0123abcd']) {
      const q = { roleName: 'tailspin-client', ...(version ? { version } : {}), from, to };
      const text = buildRequestsQuery(q);
      expect(recogniseQuery(text, analyzeKql(text))).toEqual({
        kind: 'requests',
        role: 'tailspin-client',
        ...(version ? { version } : {}),
        from,
        to,
      });
    }
  });

  it('anything else is unknown (so adapter and fake cannot drift silently)', () => {
    const text = buildRequestsQuery({ roleName: 'tailspin-server', from, to });
    for (const variant of [
      text.replace('sum(ItemCount)', 'count()'),
      text.replace(', retainedFailures = countif(Success == false)', ''),
      text.replace(' and TimeGenerated <', ' and TimeGenerated <='),
      `${text} | take 1`,
      'AppRequests | count',
    ]) {
      expect(recogniseQuery(variant, analyzeKql(variant))).toBeUndefined();
    }
  });
});

it('the checker schema is the AppRequests table as documented and as a real workspace returns it', () => {
  const doc = sharedText('monitor', 'azure-reference-other__apprequests.md');
  const documented = Object.fromEntries(
    [...doc.matchAll(/^\| (\w+) \| (\w+) \|/gm)].map((m) => [m[1], m[2]]).filter(([n]) => n !== 'Column'),
  );
  const real = sharedJson<{ body: { tables: { columns: { name: string; type: string }[] }[] } }>(
    'monitor',
    'azure-rest-api-specs__loganalytics_batch-query-example.responses0_AppRequests.json',
  );
  const returned = Object.fromEntries(real.body.tables[0]!.columns.map((c) => [c.name, c.type]));
  expect(APP_REQUESTS_COLUMNS).toMatchObject(documented);
  for (const [name, type] of Object.entries(APP_REQUESTS_COLUMNS)) expect(documented[name] ?? returned[name], name).toBe(type);
});

function analyzeKqlLazy(build: () => string): () => KqlAnalysis {
  let a: KqlAnalysis | undefined;
  return () => (a ??= analyzeKql(build()));
}

describe('the slow-request count (verification tests the share of requests above the P95 threshold)', () => {
  it('adds an ItemCount-weighted sumif over DurationMs with a real literal; P95 stays for display', () => {
    expect(buildRequestsQuery({ roleName: 'tailspin-server', from, to, slowAboveMs: 2000 }).split('\n').at(-1)).toBe(
      '| summarize requests = sum(ItemCount), failures = sumif(ItemCount, Success == false), slow = sumif(ItemCount, DurationMs > real(2000)), p95Ms = percentilew(DurationMs, ItemCount, 95), ' +
        'retainedRequests = count(), retainedFailures = countif(Success == false), retainedSlow = countif(DurationMs > real(2000))',
    );
    expect(buildRequestsQuery({ roleName: 'x', from, to, slowAboveMs: 1500.25 })).toContain('DurationMs > real(1500.25)');
  });

  it('has no Kusto diagnostics for any threshold, yields requests, failures, slow, p95Ms, and the fake decodes it', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.001, max: 3_600_000, noNaN: true }),
        fc.option(fc.constantFrom('v1', 'sha256:0123abcd'), { nil: undefined }),
        (slowAboveMs, version) => {
          const q = { roleName: 'tailspin-server', ...(version ? { version } : {}), from, to, slowAboveMs };
          expect(validateQuery(q)).toBeUndefined();
          const text = buildRequestsQuery(q);
          const a = analyzeKql(text);
          expect(a.diagnostics).toEqual([]);
          expect(a.resultColumns).toEqual([
            'requests',
            'failures',
            'slow',
            'p95Ms',
            'retainedRequests',
            'retainedFailures',
            'retainedSlow',
          ]);
          const shape = recogniseQuery(text, a);
          expect(shape).toMatchObject({ kind: 'requests', role: 'tailspin-server', from, to });
          expect((shape as { slowAboveMs: number }).slowAboveMs).toBeCloseTo(slowAboveMs, 3);
        },
      ),
      { numRuns: 60, seed: 4 },
    );
  });

  it('the fake refuses a query whose weighted and retained slow counts name different thresholds', () => {
    const text = buildRequestsQuery({ roleName: 'x', from, to, slowAboveMs: 2000 }).replace(
      'countif(DurationMs > real(2000))',
      'countif(DurationMs > real(1000))',
    );
    expect(kqlErrors(analyzeKql(text))).toEqual([]);
    expect(recogniseQuery(text, analyzeKql(text))).toBeUndefined();
  });

  it('the checker sees the new column too: a misspelt duration column is an error', () => {
    const text = buildRequestsQuery({ roleName: 'x', from, to, slowAboveMs: 2000 }).replace(
      'sumif(ItemCount, DurationMs >',
      'sumif(ItemCount, Duration >',
    );
    expect(kqlErrors(analyzeKql(text)).map((d) => d.code)).toEqual(['KS142']);
  });

  it.each([Number.NaN, 0, -5, 0.0001, Number.POSITIVE_INFINITY, 3_600_001])('refuses slowAboveMs %s before building anything', (v) => {
    expect(validateQuery({ roleName: 'ok', from, to, slowAboveMs: v })?.field).toBe('slowAboveMs');
  });
});
