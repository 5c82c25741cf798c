/** `tailspin-deployer verify-plan`: the production decision over simulated traffic, from the terminal. */
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import type { PlanResult } from '../../../src/cli/verify-plan.js';
import { fakeIo } from './fake-io.js';

const run = async (...args: string[]) => {
  const io = fakeIo();
  const code = await main(['verify-plan', ...args], io);
  return { code, out: io.out(), err: io.err() };
};

describe('verify-plan', () => {
  it('one release: 5 % errors at 5 rps is rolled back, half the runs at the first sample (JSON)', async () => {
    const r = await run('--rps', '5', '--error-rate', '0.05', '--runs', '300', '--json');
    expect(r).toMatchObject({ code: 0, err: '' });
    const result = JSON.parse(r.out) as PlanResult;
    expect(result.rows).toHaveLength(1);
    expect(result.rows[0]).toMatchObject({ varies: 'errors', traffic: { rps: 5, errorRate: 0.05, p95Ms: 500 } });
    expect(result.rows[0]!.summary.breach).toBeGreaterThan(0.99);
    expect(result.rows[0]!.summary.detection.medianS).toBe(30);
    expect(result.rule.minRequestsForHealthy).toEqual({ errors: 263, latency: 51 });
    expect(result).not.toHaveProperty('suggestion');
  });

  it('is reproducible: the same seed prints the same figures, another seed others', async () => {
    const args = ['--rps', '2', '--error-rate', '0.01', '--runs', '200'];
    const a = await run(...args, '--seed', '7');
    expect(a.code).toBe(0);
    expect((await run(...args, '--seed', '7')).out).toBe(a.out);
    expect((await run(...args, '--seed', '8')).out).not.toBe(a.out);
  });

  it('without a rate: the grid of healthy and failing releases and the window a failing one needs', async () => {
    const r = await run('--rps', '20', '--runs', '100', '--window', '120', '--interval', '30');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    for (const row of [
      'error rate 0.2 %',
      'error rate 0.5 %',
      'error rate 2 %',
      'error rate 5 %',
      'P95 1.5 s (2.3 % slower than 2 s)',
      'P95 3 s',
    ])
      expect(lines.some((l) => l.startsWith(row))).toBe(true);
    expect(r.out).toMatch(/^verify-plan: 20 requests\/s, 120 s window, a sample every 30 s; 100 simulated releases per row \(seed 1\)$/m);
    expect(r.out).toMatch(/a healthy verdict needs ≥ 263 requests/);
    expect(r.out).toMatch(/^window that catches 2 % errors in ≥ 99 % of runs at 20 requests\/s: \d+ s/m);
  });

  it('a P95 alone tests latency with no errors', async () => {
    const r = await run('--rps', '5', '--p95-ms', '3000', '--runs', '100', '--json');
    const result = JSON.parse(r.out) as PlanResult;
    expect(result.rows[0]).toMatchObject({ varies: 'latency', traffic: { errorRate: 0, p95Ms: 3000 } });
    expect(result.rows[0]!.summary.breach).toBe(1);
  });

  it('thresholds and error budgets come from flags named like the settings', async () => {
    const r = await run(
      '--rps',
      '5',
      '--error-rate',
      '0.03',
      '--error-rate-max',
      '0.02',
      '--false-rollback-max',
      '0.05',
      '--runs',
      '50',
      '--json',
    );
    const result = JSON.parse(r.out) as PlanResult;
    expect(result.request.settings).toMatchObject({ errorRateMax: 0.02, falseRollbackMax: 0.05 });
  });

  it.each([
    [[], /^verify-plan: --rps is required/],
    [['--rps', 'abc'], /^verify-plan: --rps: "abc" is not a number/],
    [['--rps', ''], /^verify-plan: --rps: "" is not a number/],
    [['--rps=-1'], /^verify-plan: --rps: rps must be between 0 and 100000/],
    [['--rps', '5', '--error-rate', '1.5'], /^verify-plan: --error-rate: error rate must be between 0 and 1/],
    [['--rps', '5', '--p95-ms', '0'], /^verify-plan: --p95-ms: P95 must be a positive number of ms/],
    [['--rps', '5', '--latency-sigma', '9'], /^verify-plan: --latency-sigma: latency sigma must be in/],
    [['--rps', '5', '--window', '0'], /^verify-plan: --window must be a whole number of seconds/],
    [['--rps', '5', '--window', '60', '--interval', '90'], /^verify-plan: --interval must be a whole number of seconds between 1 and 60/],
    [['--rps', '5', '--runs', '2.5'], /^verify-plan: --runs must be a whole number/],
    [['--rps', '5', '--seed=-1'], /^verify-plan: --seed must be a whole number/],
    [['--rps', '5', '--healthy-ratio', '1'], /^verify-plan: --healthy-ratio: /],
    [['--rps', '5', '--error-rate-max', '0.6'], /^verify-plan: failing rate 2 × error-rate threshold 0.6 must stay below 1/],
    [['--rps', '5', '--colour'], /^verify-plan: Unknown option '--colour'/],
    [['--rps', '5', 'extra'], /^verify-plan: unexpected argument "extra"/],
  ])('bad input %j → exit 2 with one line', async (args, message) => {
    const r = await run(...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.out).toBe('');
  });

  it('--help prints the options and exits 0; the command is listed in the usage', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^usage: tailspin-deployer verify-plan --rps R/);
    const usage = fakeIo();
    await main(['--help'], usage);
    expect(usage.out()).toMatch(/verify-plan/);
  });
});
