/**
 * `tailspin-deployer verify-plan --rps R …`: how would verification judge releases of an app with
 * this much traffic? Runs the production decision code (src/services/verification) over seeded
 * simulated traffic and prints how often a release is rolled back, passed or left inconclusive,
 * and how fast a rollback comes. Exit 0 printed, 2 bad input.
 */
import {
  DEFAULT_LATENCY_SIGMA,
  hypotheses,
  minRequestsForHealthy,
  planGrid,
  suggestWindow,
  trafficProblem,
  verificationSettings,
  type VerificationSettings,
} from '../services/verification/index.js';
import type { CliCommand, CliIo } from './command.js';
import { parse } from './remote.js';
import { renderPlan } from './verify-plan-table.js';
import type { PlanRequest, PlanResult } from './verify-plan-types.js';

export type { PlanRequest, PlanResult } from './verify-plan-types.js';

const HELP = `usage: tailspin-deployer verify-plan --rps R [options]

Simulates the verification of releases of an app serving R requests per second (Poisson traffic,
independent failures, lognormal latency) with the deployer's own decision code, and prints how
often a release is rolled back, judged healthy or left inconclusive, and how fast rollbacks come.
Without --error-rate / --p95-ms it prints a grid of healthy and failing releases and the shortest
window that catches a release at twice the threshold in 1 − β of runs.

  --rps R                 mean requests per second (required)
  --error-rate P          the release's true error rate, a fraction (e.g. 0.02)
  --p95-ms M              the release's true P95 latency in ms
  --latency-sigma S       shape of the lognormal latency (default ${DEFAULT_LATENCY_SIGMA}: P95 ≈ 3.7 × median)
  --window S              observation window in seconds (VERIFY_WINDOW_SECONDS, default 300)
  --interval S            seconds between samples (VERIFY_INTERVAL_SECONDS, default 30)
  --runs N                simulated releases per row (default 2000)
  --seed K                random seed (default 1): the same seed prints the same figures
  --error-rate-max P      error-rate threshold (VERIFY_ERROR_RATE_MAX, default 0.01)
  --p95-ms-max M          P95 threshold in ms (VERIFY_P95_MS_MAX, default 2000)
  --healthy-ratio X       healthy rate as a fraction of the threshold (VERIFY_HEALTHY_RATIO, default 0.5)
  --failing-ratio X       failing rate as a multiple of the threshold (VERIFY_FAILING_RATIO, default 2)
  --false-rollback-max A  α, per metric (VERIFY_FALSE_ROLLBACK_MAX, default 0.01)
  --missed-breach-max B   β, per metric (VERIFY_MISSED_BREACH_MAX, default 0.01)
  --json                  machine-readable output
Exit status: 0 printed, 2 bad input.
`;

const NUMBER_FLAGS = [
  'rps',
  'error-rate',
  'p95-ms',
  'latency-sigma',
  'window',
  'interval',
  'runs',
  'seed',
  'error-rate-max',
  'p95-ms-max',
  'healthy-ratio',
  'failing-ratio',
  'false-rollback-max',
  'missed-breach-max',
] as const;
type NumberFlag = (typeof NUMBER_FLAGS)[number];

const OPTIONS = {
  ...Object.fromEntries(NUMBER_FLAGS.map((f) => [f, { type: 'string' }])),
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as Record<NumberFlag, { type: 'string' }> & { json: { type: 'boolean' }; help: { type: 'boolean'; short: 'h' } };

class InputError extends Error {}

/** A flag's number, or undefined when absent; "abc", "", "1e999" and friends are bad input. */
function numberFlag(values: Record<string, unknown>, name: NumberFlag): number | undefined {
  const raw = values[name];
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  const n = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(n)) throw new InputError(`--${name}: "${raw}" is not a number`);
  return n;
}

function wholeSeconds(name: NumberFlag, v: number | undefined, def: number, max: number): number {
  if (v === undefined) return def;
  if (!Number.isInteger(v) || v < 1 || v > max) throw new InputError(`--${name} must be a whole number of seconds between 1 and ${max}`);
  return v;
}

export function planRequest(values: Record<string, unknown>, positionals: string[]): PlanRequest {
  if (positionals.length > 0) throw new InputError(`unexpected argument "${positionals[0]}" (options start with --)`);
  const n = (f: NumberFlag) => numberFlag(values, f);
  const rps = n('rps');
  if (rps === undefined) throw new InputError('--rps is required (mean requests per second of the app)');
  let settings: VerificationSettings;
  try {
    settings = verificationSettings({
      ...(n('error-rate-max') !== undefined ? { errorRateMax: n('error-rate-max') } : {}),
      ...(n('p95-ms-max') !== undefined ? { p95MsMax: n('p95-ms-max') } : {}),
      ...(n('healthy-ratio') !== undefined ? { healthyRatio: n('healthy-ratio') } : {}),
      ...(n('failing-ratio') !== undefined ? { failingRatio: n('failing-ratio') } : {}),
      ...(n('false-rollback-max') !== undefined ? { falseRollbackMax: n('false-rollback-max') } : {}),
      ...(n('missed-breach-max') !== undefined ? { missedBreachMax: n('missed-breach-max') } : {}),
    });
  } catch (e) {
    throw new InputError(e instanceof Error ? e.message.replace(/^(\w+):/, (_, k: string) => `--${kebab(k)}:`) : String(e));
  }
  const windowS = wholeSeconds('window', n('window'), 300, 86_400);
  const intervalS = wholeSeconds('interval', n('interval'), 30, windowS);
  const runs = n('runs') ?? 2000;
  if (!Number.isInteger(runs) || runs < 1 || runs > 1_000_000) throw new InputError('--runs must be a whole number between 1 and 1000000');
  const seed = n('seed') ?? 1;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new InputError('--seed must be a whole number between 0 and 4294967295');
  const req = {
    settings,
    rps,
    errorRate: n('error-rate'),
    p95Ms: n('p95-ms'),
    latencySigma: n('latency-sigma'),
    windowS,
    intervalS,
    runs,
    seed,
  };
  const problem = trafficProblem({ rps, errorRate: req.errorRate ?? 0, p95Ms: req.p95Ms ?? 1, latencySigma: req.latencySigma });
  if (problem) throw new InputError(`${flagFor(problem)}: ${problem}`);
  return req;
}

const kebab = (k: string) =>
  ({
    errorRateMax: 'error-rate-max',
    p95MsMax: 'p95-ms-max',
    healthyRatio: 'healthy-ratio',
    failingRatio: 'failing-ratio',
    falseRollbackMax: 'false-rollback-max',
    missedBreachMax: 'missed-breach-max',
  })[k] ?? k;
const flagFor = (problem: string) =>
  problem.startsWith('rps')
    ? '--rps'
    : problem.startsWith('error')
      ? '--error-rate'
      : problem.startsWith('P95')
        ? '--p95-ms'
        : '--latency-sigma';

export function runPlan(req: PlanRequest): PlanResult {
  const plan = { windowS: req.windowS, intervalS: req.intervalS };
  const rows = planGrid(req.settings, plan, req);
  const grid = req.errorRate === undefined && req.p95Ms === undefined;
  const h = hypotheses(req.settings);
  return {
    request: req,
    rule: { minRequestsForHealthy: { errors: minRequestsForHealthy(h.errors), latency: minRequestsForHealthy(h.latency) } },
    rows,
    // The window search repeats the simulation many times: fewer runs per step keep it interactive.
    ...(grid ? { suggestion: suggestWindow(req.settings, req.intervalS, { ...req, runs: Math.min(req.runs, 1000) }) } : {}),
  };
}

function run(argv: string[], io: CliIo): Promise<number> {
  const parsed = parse(argv, OPTIONS, io, 'verify-plan');
  if (!parsed) return Promise.resolve(2);
  if (parsed.values.help) {
    io.stdout.write(HELP);
    return Promise.resolve(0);
  }
  try {
    const result = runPlan(planRequest(parsed.values, parsed.positionals));
    io.stdout.write(parsed.values.json ? `${JSON.stringify(result, null, 2)}\n` : renderPlan(result));
    return Promise.resolve(0);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    io.stderr.write(`verify-plan: ${e.message}\n`);
    return Promise.resolve(2);
  }
}

export const verifyPlan: CliCommand = {
  summary: 'how often would verification roll back releases of an app with R requests/s? (simulation; exit 2 bad input)',
  run,
};
