/**
 * Verification's statistical figures: seeded Monte Carlo over the production decision code
 * (src/services/verification/simulate.ts, the same simulation verify-plan runs) at the production
 * defaults — 300 s window, a sample every 30 s, error rate 1 %, P95 2 s — for 1 to 100 requests/s.
 * Error rates, not timings: the figures do not depend on the machine. Standalone:
 * `npx tsx bench/verification.ts [runs]`.
 */
import { pathToFileURL } from 'node:url';
import {
  DEFAULT_VERIFICATION_SETTINGS as S,
  monteCarlo,
  suggestWindow,
  type PlanSummary,
  type TrafficModel,
} from '../src/services/verification/index.js';

const PLAN = { windowS: 300, intervalS: 30 };
export const BENCH_RPS = [1, 2, 5, 10, 20, 50, 100] as const;

/** The issue's cells: what each release is and the target it must meet. */
const CELLS = [
  { key: 'err0.2', what: 'false rollback, 0.2 % errors', traffic: { errorRate: 0.002, p95Ms: 500 }, target: '≤ 1 %' },
  { key: 'err0.5', what: 'false rollback, 0.5 % errors', traffic: { errorRate: 0.005, p95Ms: 500 }, target: '≤ 1 %' },
  { key: 'err2', what: 'caught in the window, 2 % errors', traffic: { errorRate: 0.02, p95Ms: 500 }, target: '≥ 99 %' },
  { key: 'err5', what: 'median detection, 5 % errors', traffic: { errorRate: 0.05, p95Ms: 500 }, target: '≤ 30 s from 5 rps' },
  { key: 'p95-1.5', what: 'false rollback, P95 1.5 s', traffic: { errorRate: 0, p95Ms: 1500 }, target: '≤ 1 %' },
  { key: 'p95-3', what: 'caught in the window, P95 3 s', traffic: { errorRate: 0, p95Ms: 3000 }, target: '≥ 99 %' },
] as const;

export interface VerificationCell {
  rps: number;
  cell: (typeof CELLS)[number]['key'];
  traffic: TrafficModel;
  summary: PlanSummary;
  /**
   * Whether this cell meets the issue's target. 'thin': not caught within the window, but the rest
   * was inconclusive, not passed (too little traffic for a sound decision: the inconclusive policy
   * applies). null: no target at this traffic (5 % detection below 5 rps).
   */
  meets: boolean | 'thin' | null;
}

export interface VerificationBench {
  runs: number;
  seed: number;
  plan: typeof PLAN;
  cells: VerificationCell[];
  windows: { rps: number; windowS: number | null; caught: number; healthyInconclusive: number }[];
  markdown: string;
}

function meets(key: VerificationCell['cell'], rps: number, s: PlanSummary): VerificationCell['meets'] {
  if (key === 'err2' || key === 'p95-3') return s.breach >= 0.99 ? true : s.healthy <= 0.01 ? 'thin' : false;
  if (key === 'err5') return rps >= 5 ? s.detection.medianS !== null && s.detection.medianS <= PLAN.intervalS : null;
  return s.breach <= 0.01;
}

const pct = (x: number) => `${(x * 100).toFixed(x > 0 && x < 0.01 ? 2 : 1)} %`;

function figure(c: VerificationCell): string {
  const s = c.summary;
  const incl = s.inconclusive > 0 ? ` (inc. ${pct(s.inconclusive)})` : '';
  const mark = c.meets === false ? ' ✗' : c.meets === 'thin' ? ' †' : '';
  if (c.cell === 'err5') return `${s.detection.medianS === null ? '—' : `${s.detection.medianS} s`}${incl}${mark}`;
  return `${pct(s.breach)}${incl}${mark}`;
}

export function verificationBench(opts: { runs?: number; seed?: number; rps?: readonly number[] } = {}): VerificationBench {
  const runs = opts.runs ?? 10_000;
  const seed = opts.seed ?? 2026;
  const rpsList = opts.rps ?? BENCH_RPS;
  const cells: VerificationCell[] = [];
  for (const rps of rpsList) {
    for (const c of CELLS) {
      const traffic = { rps, ...c.traffic };
      const summary = monteCarlo(traffic, PLAN, S, { runs, seed });
      cells.push({ rps, cell: c.key, traffic, summary, meets: meets(c.key, rps, summary) });
    }
  }
  const windows = rpsList
    .filter((rps) => rps < 5)
    .map((rps) => ({ rps, ...suggestWindow(S, PLAN.intervalS, { rps, runs: Math.min(runs, 2000), seed }) }));

  const header = ['requests/s', ...CELLS.map((c) => `${c.what} (target ${c.target})`)];
  const rows = rpsList.map((rps) => [String(rps), ...CELLS.map((c) => figure(cells.find((x) => x.rps === rps && x.cell === c.key)!))]);
  const table = [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
  const windowLines = windows.map(
    (w) =>
      `- ${w.rps} request${w.rps === 1 ? '' : 's'}/s: a ${w.windowS === null ? '> 1 day' : `${w.windowS} s`} window catches 2 % errors in ${pct(w.caught)} of runs (a 0.5 % release is then inconclusive in ${pct(w.healthyInconclusive)}).`,
  );
  const markdown = [
    table,
    '',
    `${runs} simulated releases per cell (seed ${seed}); "inc." = share of runs inconclusive at the window's end (the inconclusive policy applies); ✗ = target missed; † = too few requests in 300 s to catch it in 99 % of runs, the rest inconclusive (passed as healthy in ≤ 1 %).`,
    ...windowLines,
  ].join('\n');
  return { runs, seed, plan: PLAN, cells, windows, markdown };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = Date.now();
  const runs = process.argv[2] ? Number(process.argv[2]) : undefined;
  const result = verificationBench(runs ? { runs } : {});
  process.stdout.write(`${result.markdown}\n\n(${Math.round((Date.now() - started) / 1000)} s)\n`);
}
