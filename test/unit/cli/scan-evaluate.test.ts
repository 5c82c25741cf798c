import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { own, shared, sharedText } from '../../helpers/fixtures.js';
import { fakeIo } from './fake-io.js';

const run = async (args: string[], stdin = '') => {
  const io = fakeIo(stdin);
  const code = await main(['scan-evaluate', ...args], io);
  return { code, out: io.out(), err: io.err() };
};
const json = (out: string) =>
  JSON.parse(out) as { outcome: string; blocking: { id: string }[]; staleIgnores: { id: string }[]; trivy: unknown; ignored: unknown[] };

describe('scan-evaluate: exit 0 pass / 1 blocked', () => {
  it('passes a report with nothing HIGH/CRITICAL (JSON verdict on stdout)', async () => {
    const r = await run(['--report', shared('trivy', 'alpine-310.json.golden')]);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(json(r.out).outcome).toBe('pass');
  });

  it('blocks on CRITICAL and names the findings', async () => {
    const r = await run(['--report', shared('trivy', 'alpine-39.json.golden')]);
    expect(r.code).toBe(1);
    expect(json(r.out).blocking.map((f) => f.id)).toEqual(['CVE-2019-14697', 'CVE-2019-14697']);
  });

  it('reads stdin when --report is absent or "-"', async () => {
    const text = sharedText('trivy', 'debian-buster.json.golden');
    expect((await run([], text)).code).toBe(1);
    expect((await run(['--report', '-', '--severity', 'MEDIUM,HIGH'], text)).code).toBe(0);
  });

  it('--ignore-unfixed with every severity agrees with Trivy on debian-buster', async () => {
    const r = await run([
      '--report',
      shared('trivy', 'debian-buster.json.golden'),
      '--severity=UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL',
      '--ignore-unfixed',
    ]);
    expect(r.code).toBe(1);
    expect(json(r.out).blocking.map((f) => f.id)).toEqual(['CVE-2019-18224']);
    expect(json(r.out).ignored).toHaveLength(1);
  });

  it('--ignorefile with --now decides expiry reproducibly', async () => {
    const args = [
      '--report',
      shared('trivy', 'alpine-39.json.golden'),
      '--ignorefile',
      shared('trivy', 'trivy-docs-filtering.trivyignore'),
    ];
    expect((await run([...args, '--now', '2022-12-31'])).code).toBe(0);
    const later = await run([...args, '--now', '2023-01-02']);
    expect(later.code).toBe(1);
    expect(json(later.out).staleIgnores.map((s) => s.id)).toEqual(['CVE-2019-14697']);
  });

  it('--block-secrets and --block-misconfig turn those findings into blockers', async () => {
    expect((await run(['--report', shared('trivy', 'secrets.json.golden')])).code).toBe(0);
    expect((await run(['--report', shared('trivy', 'secrets.json.golden'), '--block-secrets'])).code).toBe(1);
    expect((await run(['--report', shared('trivy', 'helm_testchart.json.golden'), '--block-misconfig', 'critical'])).code).toBe(0);
    expect((await run(['--report', shared('trivy', 'helm_testchart.json.golden'), '--block-misconfig', 'HIGH'])).code).toBe(1);
  });

  it('--format table prints a table for people ending in the status line', async () => {
    const r = await run([
      '--report',
      own('scan-policy', 'ignore-matrix.report.json'),
      '--format',
      'table',
      '--ignorefile',
      shared('trivy', 'trivy-testdata.trivyignore.yaml'),
      '--now',
      '2022-06-01',
      '--block-secrets',
      '--block-misconfig',
      'HIGH',
    ]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^BLOCKED {2}hand-made\/ignore-matrix/);
    expect(r.out).toMatch(/SEVERITY {2}KIND/);
    expect(r.out).toMatch(/Stale ignore entries.*\n {2}CVE-2019-0006 expired 2020-01-01/);
    expect(r.out.trimEnd().split('\n').at(-1)).toMatch(/^blocked: 6 HIGH \(/);
  });

  it('--help prints the options and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/--ignorefile FILE/);
  });
});

describe('scan-evaluate: exit 2 with one clear line on stderr', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scan-evaluate-'));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const report = shared('trivy', 'alpine-310.json.golden');

  it.each([
    ['bad JSON', () => ['--report', file('bad.json', '{"SchemaVersion": 2,')], /bad\.json: report is not valid JSON/],
    ['not a Trivy report', () => ['--report', file('sarif.json', '{"version":"2.1.0","runs":[]}')], /no SchemaVersion/],
    ['unsupported schema', () => ['--report', file('v1.json', '{"SchemaVersion":1}')], /SchemaVersion 1 \(expected 2\)/],
    ['missing report file', () => ['--report', join(dir, 'absent.json')], /cannot read report .*absent\.json: no such file/],
    ['unknown flag', () => ['--report', report, '--exit-code', '1'], /unknown option --exit-code/],
    ['positional argument', () => [report], /unexpected argument/],
    ['flag without value', () => ['--report'], /--report needs a value/],
    ['value on a boolean flag', () => ['--ignore-unfixed=yes'], /--ignore-unfixed takes no value/],
    ['unknown severity', () => ['--report', report, '--severity', 'HIGH,SEVERE'], /--severity: unknown severity "SEVERE"/],
    ['unknown misconfig severity', () => ['--report', report, '--block-misconfig', 'bad'], /--block-misconfig: unknown severity "bad"/],
    ['bad --now', () => ['--report', report, '--now', '2024-02-30'], /--now: "2024-02-30" is not a date/],
    ['bad --format', () => ['--report', report, '--format', 'sarif'], /--format: unknown format "sarif"/],
    [
      'missing ignore file',
      () => ['--report', report, '--ignorefile', join(dir, '.trivyignore')],
      /cannot read ignore file .*\.trivyignore: no such file/,
    ],
    [
      'invalid ignore yaml',
      () => ['--report', report, '--ignorefile', file('x.trivyignore.yaml', 'vulnerabilities:\n  - id: A\n    expired_at: someday\n')],
      /invalid ignore file .*x\.trivyignore\.yaml: vulnerabilities "A": expired_at "someday"/,
    ],
  ] as const)('%s', async (_what, args, message) => {
    const r = await run([...args()]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(message);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^scan-evaluate: /);
  });

  it('refuses to wait on a terminal when no report is given', async () => {
    const io = fakeIo('', { tty: true });
    expect(await main(['scan-evaluate'], io)).toBe(2);
    expect(io.err()).toMatch(/no report: pass --report FILE or pipe/);
  });
});
