/**
 * One evidence panel drawn with uPlot (canvas, ~50 KB, no dependencies), with its legend and the
 * same numbers as a table for people who cannot see the canvas. Colours come from the page's CSS
 * variables, so the chart follows the light or dark scheme; the breach is a labelled vertical line.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { Panel, Series, SeriesKind } from './model.js';
import { ms, pct } from '../format.js';

const COLOUR: Record<SeriesKind, string> = {
  rate: '--c-line',
  interval: '--c-line2',
  ci: '--c-muted',
  threshold: '--c-bad',
  baseline: '--c-base',
  statistic: '--c-line',
  bound: '--c-bad',
};

export const formatValue = (unit: Panel['unit'], v: number | null | undefined): string =>
  v === null || v === undefined ? '—' : unit === 'fraction' ? pct(v) : unit === 'ms' ? ms(v) : v.toFixed(2);

function colourOf(el: HTMLElement, s: Series, i: number): string {
  const css = getComputedStyle(el);
  const name =
    s.kind === 'statistic' && i > 0 ? '--c-line2' : s.kind === 'bound' && s.label.startsWith('healthy') ? '--c-good' : COLOUR[s.kind];
  return css.getPropertyValue(name).trim() || '#888';
}

function seriesOpts(el: HTMLElement, s: Series, i: number): uPlot.Series {
  const stroke = colourOf(el, s, i);
  const base: uPlot.Series = { label: s.label, stroke, width: s.kind === 'rate' || s.kind === 'statistic' ? 2 : 1, spanGaps: false };
  if (s.kind === 'interval') return { ...base, paths: () => null, points: { show: true, size: 7, fill: stroke } };
  if (s.kind === 'threshold' || s.kind === 'bound') return { ...base, dash: [8, 5], points: { show: false } };
  if (s.kind === 'baseline') return { ...base, dash: [2, 4], points: { show: false } };
  if (s.kind === 'ci') return { ...base, dash: [3, 3], points: { show: false } };
  return { ...base, points: { show: true, size: 6 } };
}

function breachLine(at: number | undefined, el: HTMLElement): uPlot.Plugin {
  return {
    hooks: {
      draw: (u) => {
        if (at === undefined) return;
        const x = u.valToPos(at, 'x', true);
        const { ctx } = u;
        ctx.save();
        ctx.strokeStyle = getComputedStyle(el).getPropertyValue('--c-bad').trim() || 'red';
        ctx.fillStyle = ctx.strokeStyle;
        ctx.lineWidth = 2 * devicePixelRatio;
        ctx.setLineDash([]);
        ctx.beginPath();
        ctx.moveTo(x, u.bbox.top);
        ctx.lineTo(x, u.bbox.top + u.bbox.height);
        ctx.stroke();
        ctx.font = `${12 * devicePixelRatio}px system-ui, sans-serif`;
        ctx.textAlign = x > u.bbox.left + u.bbox.width / 2 ? 'right' : 'left';
        ctx.fillText(' breach ', x, u.bbox.top + 14 * devicePixelRatio);
        ctx.restore();
      },
    },
  };
}

function options(p: Panel, el: HTMLElement, width: number): uPlot.Options {
  const css = getComputedStyle(el);
  const axis = css.getPropertyValue('--c-text').trim() || '#222';
  const grid = css.getPropertyValue('--c-grid').trim() || '#ddd';
  const maxX = Math.max(...p.x, 1);
  const all = p.series.flatMap((s) => s.values).filter((v): v is number => v !== null && Number.isFinite(v));
  const lo = p.unit === 'llr' ? Math.min(...all, 0) : 0;
  const hi = Math.max(...all, p.unit === 'fraction' ? 0.01 : 1);
  const pad = (hi - lo) * 0.12 || 1;
  return {
    width,
    height: 220,
    legend: { show: false },
    cursor: { show: false },
    scales: { x: { time: false, range: () => [0, maxX * 1.05 + 1] }, y: { range: () => [p.unit === 'llr' ? lo - pad : 0, hi + pad] } },
    axes: [
      { stroke: axis, grid: { stroke: grid }, label: 'seconds into the window', values: (_u, v) => v.map((x) => `${x}`) },
      { stroke: axis, grid: { stroke: grid }, size: 64, values: (_u, v) => v.map((y) => formatValue(p.unit, y)) },
    ],
    series: [{}, ...p.series.map((s, i) => seriesOpts(el, s, i))],
    plugins: [breachLine(p.breachAt, el)],
  };
}

export function Chart({ panel }: { panel: Panel }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const data = [panel.x, ...panel.series.map((s) => s.values)] as uPlot.AlignedData;
    let plot = new uPlot(options(panel, el, el.clientWidth || 600), data, el);
    const redraw = () => {
      plot.destroy();
      plot = new uPlot(options(panel, el, el.clientWidth || 600), data, el);
    };
    const resize = new ResizeObserver(() => plot.setSize({ width: el.clientWidth || 600, height: 220 }));
    resize.observe(el);
    const scheme = matchMedia('(prefers-color-scheme: dark)');
    scheme.addEventListener('change', redraw);
    return () => {
      resize.disconnect();
      scheme.removeEventListener('change', redraw);
      plot.destroy();
    };
  }, [panel]);
  const summary = `${panel.title}: ${panel.series
    .filter((s) => s.kind !== 'ci')
    .map((s) => `${s.label} ${formatValue(panel.unit, s.values.at(-1))}`)
    .join(', ')}${panel.breachAt !== undefined ? `; breach at ${panel.breachAt} s` : ''}`;
  return (
    <figure class="chart" data-panel={panel.id} data-breach={panel.breachAt ?? ''}>
      <figcaption>{panel.title}</figcaption>
      <div ref={host} role="img" aria-label={summary} class="plot" />
      <ul class="legend" aria-hidden="true">
        {panel.series.map((s, i) => (
          <li
            key={s.label}
            class={`key ${s.kind}${s.kind === 'statistic' && i > 0 ? ' second' : ''}${s.label.startsWith('healthy') ? ' healthy' : ''}`}
          >
            {s.label}
          </li>
        ))}
        {panel.breachAt !== undefined && <li class="key breach">breach</li>}
      </ul>
      <details>
        <summary>{panel.title} as a table</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">s</th>
              {panel.series.map((s) => (
                <th scope="col" key={s.label}>
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {panel.x.map((x, i) => (
              <tr key={x}>
                <th scope="row">{x}</th>
                {panel.series.map((s) => (
                  <td key={s.label}>{formatValue(panel.unit, s.values[i])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
