/**
 * `tailspin-deployer scan-evaluate`: would this Trivy report pass the deploy gate?
 * Same policy code as the pipeline. Exit 0 pass, 1 blocked, 2 unreadable or invalid input.
 */
import { readFile } from 'node:fs/promises';
import {
  DEFAULT_SCAN_POLICY,
  evaluateScan,
  expiryTime,
  isSeverityName,
  parseIgnoreFile,
  parseSeverityList,
  parseTrivyReport,
  renderVerdictTable,
  type ScanPolicy,
} from '../services/scan-policy/index.js';
import { type CliCommand, type CliIo } from './command.js';

const STRING_FLAGS = ['report', 'severity', 'ignorefile', 'block-misconfig', 'now', 'format'] as const;
const BOOLEAN_FLAGS = ['ignore-unfixed', 'block-secrets', 'help'] as const;
type Flags = Partial<Record<(typeof STRING_FLAGS)[number], string>> & Partial<Record<(typeof BOOLEAN_FLAGS)[number], boolean>>;

const HELP = `usage: tailspin-deployer scan-evaluate [--report FILE|-] [options]

Evaluates a Trivy JSON report (trivy image --format json) against the deploy gate's policy.
  --report FILE          report to read; stdin when absent or "-"
  --severity LIST        severities that block (default HIGH,CRITICAL)
  --ignore-unfixed       vulnerabilities without a released fix do not block
  --ignorefile FILE      .trivyignore or .trivyignore.yaml
  --block-secrets        secrets found in the image block
  --block-misconfig SEV  failed misconfiguration checks at SEV or above block
  --now YYYY-MM-DD       evaluation date for ignore-entry expiry (default: today)
  --format json|table    output (default json)
Exit status: 0 pass, 1 blocked, 2 unreadable or invalid input.
`;

class InputError extends Error {}

function parseFlags(argv: string[]): Flags {
  const flags: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new InputError(`unexpected argument "${arg}" (options start with --)`);
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    if ((BOOLEAN_FLAGS as readonly string[]).includes(name)) {
      if (eq >= 0) throw new InputError(`--${name} takes no value`);
      flags[name] = true;
    } else if ((STRING_FLAGS as readonly string[]).includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new InputError(`--${name} needs a value`);
      flags[name] = value;
    } else {
      throw new InputError(`unknown option --${name} (see --help)`);
    }
  }
  return flags;
}

async function readText(what: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'is a directory'
            : (code ?? 'unreadable');
    throw new InputError(`cannot read ${what} ${path}: ${why}`);
  }
}

async function readStdin(io: CliIo): Promise<string> {
  if (io.stdin.isTTY) throw new InputError('no report: pass --report FILE or pipe a Trivy JSON report on stdin');
  const chunks: string[] = [];
  const decoder = new TextDecoder();
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
  return chunks.join('') + decoder.decode();
}

async function buildPolicy(flags: Flags): Promise<ScanPolicy> {
  const severities =
    flags.severity === undefined ? { ok: true as const, value: DEFAULT_SCAN_POLICY.severities } : parseSeverityList(flags.severity);
  if (!severities.ok) throw new InputError(`--severity: ${severities.error.message}`);
  const floor = flags['block-misconfig']?.trim().toUpperCase();
  if (floor !== undefined && !isSeverityName(floor))
    throw new InputError(
      `--block-misconfig: unknown severity "${flags['block-misconfig']}" (expected UNKNOWN, LOW, MEDIUM, HIGH or CRITICAL)`,
    );
  const policy: ScanPolicy = {
    severities: severities.value,
    ignoreUnfixed: flags['ignore-unfixed'] ?? false,
    blockSecrets: flags['block-secrets'] ?? false,
    ...(floor && { blockMisconfigAt: floor }),
  };
  if (flags.ignorefile !== undefined) {
    const parsed = parseIgnoreFile(flags.ignorefile, await readText('ignore file', flags.ignorefile));
    if (!parsed.ok) throw new InputError(`invalid ignore file ${parsed.error.message}`);
    policy.ignoreFile = parsed.value;
  }
  return policy;
}

function parseNow(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const t = /^\d{4}-\d{2}-\d{2}$/.test(value) ? expiryTime(value) : undefined;
  if (t === undefined) throw new InputError(`--now: "${value}" is not a date (YYYY-MM-DD)`);
  return new Date(t);
}

async function run(argv: string[], io: CliIo): Promise<number> {
  try {
    const flags = parseFlags(argv);
    if (flags.help) {
      io.stdout.write(HELP);
      return 0;
    }
    const format = flags.format ?? 'json';
    if (format !== 'json' && format !== 'table') throw new InputError(`--format: unknown format "${format}" (expected json or table)`);
    const now = parseNow(flags.now);
    const policy = await buildPolicy(flags);
    const fromStdin = flags.report === undefined || flags.report === '-';
    const text = fromStdin ? await readStdin(io) : await readText('report', flags.report!);
    const report = parseTrivyReport(text);
    if (!report.ok) throw new InputError(`${fromStdin ? 'stdin' : flags.report}: ${report.error.message}`);
    const verdict = evaluateScan(report.value, policy, { now });
    io.stdout.write(format === 'json' ? JSON.stringify(verdict, null, 2) + '\n' : renderVerdictTable(verdict));
    return verdict.outcome === 'pass' ? 0 : 1;
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    io.stderr.write(`scan-evaluate: ${e.message}\n`);
    return 2;
  }
}

export const scanEvaluate: CliCommand = {
  summary: 'would this Trivy JSON report pass the deploy gate? (exit 0 pass, 1 blocked, 2 bad input)',
  run,
};
