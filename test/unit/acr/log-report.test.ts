import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { BEGIN, END, extractReport, markerLine, normalizeLog } from '../../../src/services/adapters/acr/log-report.js';

const RUN = 'ca7';
const begin = markerLine(BEGIN, RUN);
const end = markerLine(END, RUN);
const report = {
  SchemaVersion: 2,
  ArtifactName: 'r.azurecr.io/app@sha256:' + 'a'.repeat(64),
  Results: [{ Target: 'x', Vulnerabilities: [{ Severity: 'HIGH' }] }],
};

const ansi = fc.constantFrom('', '\x1b[32m', '\x1b[0m', '\x1b[1;31m', '\x1b]8;;https://x\x07');
/** A noise line: printable text, maybe coloured, never a marker of this run on its own. */
const noiseLine = fc
  .tuple(ansi, fc.string({ unit: fc.constantFrom(...'abcXYZ 0123:/.-={}[]"=\t'.split('')), maxLength: 60 }), ansi)
  .map(([a, t, b]) => `${a}${t}${b}`)
  .filter((l) => normalizeLog(l).trim() !== begin && normalizeLog(l).trim() !== end);
const noise = fc.array(noiseLine, { maxLength: 15 });
const eol = fc.constantFrom('\n', '\r\n');

describe('extractReport', () => {
  test.prop([noise, noise, eol, fc.boolean()])('random noise around the report never breaks extraction', (before, after, nl, pretty) => {
    const body = JSON.stringify(report, null, pretty ? 2 : undefined);
    const log = [...before, begin, ...body.split('\n'), end, ...after].join(nl);
    expect(extractReport(log, RUN)).toEqual({ ok: true, value: report });
  });

  test.prop([noise, eol])('a truncated earlier attempt is skipped, the last complete report wins', (between, nl) => {
    const first = JSON.stringify({ ...report, ArtifactName: 'first' });
    const log = [begin, first.slice(0, 20), ...between, begin, first, end, 'x', begin, JSON.stringify(report), end, 'tail'].join(nl);
    expect(extractReport(log, RUN)).toEqual({ ok: true, value: report });
  });

  it('tolerates ANSI colour on the marker lines', () => {
    const log = `\x1b[32m${begin}\x1b[0m\r\n${JSON.stringify(report)}\r\n\x1b[32m${end}\x1b[0m\r\n`;
    expect(extractReport(log, RUN)).toEqual({ ok: true, value: report });
  });

  it('ignores markers of another run and a marker inside a longer line', () => {
    const other = `${markerLine(BEGIN, 'ca8')}\n{}\n${markerLine(END, 'ca8')}`;
    const echoed = `+ printf ${begin}\n{}\n+ printf ${end}`;
    expect(extractReport(`${other}\n${echoed}`, RUN)).toMatchObject({ ok: false, error: expect.stringMatching(/no scan report/) });
  });

  it.each([
    [`${begin}\n${end}`, /empty/],
    [`${begin}\n{"SchemaVersion": 2,\n${end}`, /not valid JSON/],
    [`noise\n${begin}\n{"SchemaVersion": 2`, /incomplete/],
    ['just noise', /no scan report/],
  ])('a broken report is an error with a reason (%#)', (log, reason) => {
    expect(extractReport(log, RUN)).toMatchObject({ ok: false, error: expect.stringMatching(reason) });
  });
});
