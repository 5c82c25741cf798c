/** Verification: the verdict sentence, the evidence charts and the figures against the thresholds. */
import type { ReleaseView } from '../types.js';
import { chartModel } from '../chart/model.js';
import { Chart } from '../chart/chart.js';
import { ms, pct } from '../format.js';
import { Section } from './bits.js';

export function Verification({ r }: { r: ReleaseView }) {
  const model = chartModel(r);
  const m = r.outcome.failure?.measurements ?? r.measurements;
  const base = r.outcome.baseline;
  if (!model && !r.outcome.telemetry && !r.outcome.warning) return null;
  const verdict = model?.verdict ?? r.outcome.failure?.reason ?? r.outcome.warning;
  return (
    <Section title="Verification" id="verification">
      {verdict && <p class="verdict">{verdict}</p>}
      {model?.breach && (
        <p class="breach" role="note">
          Breach at sample {model.breach.sample}, {Number(model.breach.atS.toFixed(1))} s into the window:{' '}
          {model.breach.metrics.join(' and ')}.
        </p>
      )}
      {r.outcome.telemetry && (
        <p class="warn-box">
          Telemetry could not be read ({r.outcome.telemetry.failures} failures): {r.outcome.telemetry.error}
        </p>
      )}
      {m && (
        <p>
          {m.requests} requests, {m.failures} failed: error rate {pct(m.errorRate)} (threshold {pct(m.thresholds.errorRateMax)}), P95{' '}
          {ms(m.p95Ms)} (threshold {ms(m.thresholds.p95MsMax)}), at least {m.thresholds.minRequests} requests needed.
          {base ? ` Before the deploy: error rate ${pct(base.errorRate)}, P95 ${ms(base.p95Ms)} over ${base.requests} requests.` : ''}
        </p>
      )}
      {model && (
        <div class="charts" data-source={model.source}>
          {model.panels.map((p) => (
            <Chart key={p.id} panel={p} />
          ))}
        </div>
      )}
    </Section>
  );
}
