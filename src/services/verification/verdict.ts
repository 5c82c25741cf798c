/** The one line a person reads: what was measured, against what, and what follows from it. */
import type { VerificationDecision } from './decision.js';
import { hypotheses, type Metric, type VerificationSettings } from './settings.js';
import { requestsToHealthy, type TestState } from './sprt.js';
import { wilson } from './stats.js';

/** 0.0412 → "4.1", 0.01 → "1", 0.002 → "0.2", 0.00004 → "0.004". */
export function percent(x: number): string {
  const v = x * 100;
  if (v > 0 && v < 0.01) return String(Number(v.toPrecision(1)));
  return String(Number(v.toFixed(v < 1 ? 2 : 1)));
}

const duration = (ms: number) => (ms >= 1000 ? `${Number((ms / 1000).toFixed(2))} s` : `${Math.round(ms)} ms`);
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
const rate = (t: TestState) => (t.rate === null ? 'n/a' : `${percent(t.rate)} %`);

function ci(t: TestState): string {
  const w = wilson(t.events, t.requests);
  return w ? `95 % CI ${percent(w.low)}–${percent(w.high)} %` : 'no requests';
}

type Tone = 'above' | 'below' | 'open' | 'plain';

/** How one metric reads: "error rate 4.1 % (95 % CI 2.6–6.2 %) is above 1 %", "P95 above 2 s: …". */
function phrase(m: Metric, t: TestState, s: VerificationSettings, tone: Tone): string {
  if (m === 'errors') {
    const what = `error rate ${rate(t)} (${ci(t)})`;
    const limit = `${percent(s.errorRateMax)} %`;
    return tone === 'above'
      ? `${what} is above ${limit}`
      : tone === 'below'
        ? `${what} does not exceed ${limit}`
        : tone === 'open'
          ? `${what} cannot yet be told from ${limit}`
          : what;
  }
  const slower = `${rate(t)} of requests slower than ${duration(s.p95MsMax)} (${ci(t)})`;
  return tone === 'above'
    ? `P95 is above ${duration(s.p95MsMax)}: ${slower}, more than 5 %`
    : tone === 'below'
      ? `P95 is below ${duration(s.p95MsMax)}: ${slower}`
      : tone === 'open'
        ? `${slower} cannot yet be told from 5 % (P95 ${duration(s.p95MsMax)})`
        : slower;
}

function baselineOf(d: VerificationDecision, m: Metric): string {
  const b = d.baseline?.comparisons.find((c) => c.metric === m)?.baseline;
  return b && b.rate !== null ? `${percent(b.rate)} %, ${ci(b)}` : 'n/a';
}

function warning(d: VerificationDecision): string {
  if (d.regressions.length === 0) return '';
  const what = d.regressions.map(
    (m) => `${m === 'errors' ? 'the error rate' : 'the share of slow requests'} (baseline ${baselineOf(d, m)})`,
  );
  return `; warning: significantly worse than before the deploy: ${what.join(' and ')}`;
}

export function explain(d: VerificationDecision, s: VerificationSettings): string {
  const after = `after ${plural(d.samples, 'sample')}`;
  const measured = (['errors', 'latency'] as const).flatMap((m) => (d.tests[m] ? [{ m, t: d.tests[m] }] : []));
  switch (d.outcome) {
    case 'breach': {
      const what = d.metrics.map((m) => phrase(m, d.tests[m]!, s, 'above')).join(' and ');
      if (d.blame === 'baseline') {
        const base = d.metrics.map((m) => `baseline ${baselineOf(d, m)}`).join('; ');
        return `${what}, but the version before the deploy was failing the same way (${base}): not the release's fault (${after})`;
      }
      return `${what}: rolled back ${after}`;
    }
    case 'healthy':
      return `healthy ${after} (${plural(d.tests.errors.requests, 'request')}): ${measured.map(({ m, t }) => phrase(m, t, s, 'below')).join('; ')}${warning(d)}`;
    case 'continue':
      return `observing ${after}: ${measured.map(({ m, t }) => phrase(m, t, s, 'plain')).join('; ')}`;
    case 'inconclusive':
      return `${inconclusive(d, s)}${warning(d)}`;
  }
}

function inconclusive(d: VerificationDecision, s: VerificationSettings): string {
  const n = d.tests.errors.requests;
  switch (d.reason) {
    case 'no-traffic':
      return 'no requests from the app in the window nor before the deploy: it is not instrumented, or its telemetry role name is wrong';
    case 'latency-not-measured':
      return `inconclusive after ${plural(d.samples, 'sample')}: the samples carry no count of slow requests, so latency cannot be judged`;
    case 'too-few-requests':
      return `inconclusive: ${plural(n, 'request')} in the window, fewer than the ${s.minRequests} a verdict needs`;
    default: {
      const h = hypotheses(s);
      const open = d.metrics.map((m) => {
        const t = d.tests[m]!;
        return `${phrase(m, t, s, 'open')} (about ${requestsToHealthy(h[m], t)} more good requests would show it healthy)`;
      });
      return `inconclusive after ${plural(d.samples, 'sample')} (${plural(n, 'request')}): ${open.join('; ')}`;
    }
  }
}
