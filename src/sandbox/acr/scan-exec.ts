/**
 * What ACR would do with an EncodedTaskRunRequest, for the one task shape the scanner sends:
 * render the run variables, split `cmd` like acr-builder (no host shell), and run the step's
 * `sh -c` script for real — with a stand-in `trivy` on PATH that writes the report the fake chose.
 * So the sandbox proves the task text works in a POSIX shell, markers and all.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

const Task = z.object({
  steps: z.array(z.object({ cmd: z.string(), entryPoint: z.string().optional() })).length(1),
});

export interface ScanStep {
  image: string;
  script: string;
  /** `registry/repo@sha256:…` found in the script. */
  imageRef: string;
}

/** Decode and check the task; a reason string when the fake cannot make sense of it. */
export function readScanTask(encoded: string, vars: { runId: string; registry: string }): ScanStep | string {
  const text = Buffer.from(encoded, 'base64')
    .toString('utf8')
    .replaceAll('{{.Run.ID}}', vars.runId)
    .replaceAll('{{.Run.Registry}}', vars.registry);
  const task = Task.safeParse(parse(text));
  if (!task.success) return 'task must have exactly one step with cmd';
  const step = task.data.steps[0]!;
  const args = splitCommand(step.cmd);
  if (step.entryPoint !== 'sh' || args.length !== 3 || args[1] !== '-c') return 'scan step must run `sh -c <script>` in the Trivy image';
  const script = args[2]!;
  const ref = /\s(\S+@sha256:[a-f0-9]{64})(\s|$)/.exec(script);
  if (!ref?.[1]) return 'scan script names no image by digest';
  return { image: args[0]!, script, imageRef: ref[1] };
}

/** acr-builder's splitting rules, the subset we need: whitespace separates, quotes group. */
export function splitCommand(cmd: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let started = false;
  for (const ch of cmd) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (/[ \t\r\n]/.test(ch)) {
      if (started) out.push(cur);
      cur = '';
      started = false;
    } else {
      cur += ch;
      started = true;
    }
  }
  if (started) out.push(cur);
  return out;
}

const STUB = `#!/bin/sh
# Sandbox stand-in for trivy: checks the arguments the deployer relies on, writes the chosen report.
sub="$1"; out=""; fmt=""; db=""
while [ $# -gt 0 ]; do
  case "$1" in --output) out="$2"; shift;; --format) fmt="$2"; shift;; --db-repository) db="$2"; shift;; esac
  shift
done
[ "$sub" = image ] || { echo "trivy: unknown command $sub" >&2; exit 2; }
[ "$fmt" = json ] || { echo "trivy: --format json expected" >&2; exit 2; }
[ -n "$out" ] || { echo "trivy: --output expected" >&2; exit 2; }
printf '\\033[34mINFO\\033[0m\\tNeed to update DB (repository %s)\\n' "$db" >&2
printf '\\033[34mINFO\\033[0m\\tVulnerability scanning is enabled\\n' >&2
cp "$TAILSPIN_FAKE_REPORT" "$out"
`;

export interface StepOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs the step's script in a throw-away working directory. */
export async function runScanStep(step: ScanStep, report: unknown): Promise<StepOutput> {
  const dir = await mkdtemp(join(tmpdir(), 'tailspin-acr-run-'));
  try {
    await writeFile(join(dir, 'trivy'), STUB);
    await chmod(join(dir, 'trivy'), 0o755);
    const reportPath = join(dir, 'report-input.json');
    await writeFile(reportPath, JSON.stringify(report, null, 2));
    return await new Promise<StepOutput>((resolve) => {
      execFile(
        'sh',
        ['-c', step.script],
        { cwd: dir, env: { PATH: `${dir}:/usr/local/bin:/usr/bin:/bin`, TAILSPIN_FAKE_REPORT: reportPath }, timeout: 10_000 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ exitCode: code, stdout, stderr });
        },
      );
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
