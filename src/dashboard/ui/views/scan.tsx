/** The scan gate's verdict: findings that blocked, findings ignored and why, ignore entries past their date. */
import type { ReleaseView } from '../types.js';
import { Section, Wide } from './bits.js';

type Scan = NonNullable<ReleaseView['scan']>;

const reasonOf = (r: Scan['ignored'][number]['reason']): string =>
  Object.entries(r)
    .filter(([k]) => k !== 'by')
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('; ');

export function ScanVerdict({ scan }: { scan: Scan }) {
  const counts = Object.entries(scan.counts.vulnerabilities)
    .map(([sev, n]) => `${n} ${sev}`)
    .join(', ');
  return (
    <Section title="Scan gate" id="scan">
      <p>
        <span class={`badge ${scan.outcome === 'pass' ? 'good' : 'bad'}`}>{scan.outcome === 'pass' ? 'passed' : 'blocked'}</span> Trivy{' '}
        {scan.trivy.version ?? '?'} · run <code>{scan.runId}</code>
        {scan.cached ? ' · verdict from the per-digest cache' : ''} · blocking severities {scan.policy.severities.join(', ')}
        {scan.policy.ignoreUnfixed ? ' · unfixed ignored' : ''}
      </p>
      <p>Vulnerabilities found: {counts || 'none'}.</p>
      {scan.blocking.length > 0 && (
        <Wide label="Blocking findings">
          <table class="findings">
            <caption>
              Blocking findings ({scan.blockingTotal}
              {scan.blockingTotal > scan.blocking.length ? `, first ${scan.blocking.length} shown` : ''})
            </caption>
            <thead>
              <tr>
                <th scope="col">Severity</th>
                <th scope="col">ID</th>
                <th scope="col">Package</th>
                <th scope="col">Installed</th>
                <th scope="col">Fixed in</th>
                <th scope="col">Target</th>
              </tr>
            </thead>
            <tbody>
              {scan.blocking.map((f) => (
                <tr key={`${f.id}/${f.pkg ?? ''}/${f.target}`}>
                  <td>
                    <span class={`sev ${f.severity.toLowerCase()}`}>{f.severity}</span>
                  </td>
                  <td>{f.id}</td>
                  <td>{f.pkg ?? '—'}</td>
                  <td>{f.installed ?? '—'}</td>
                  <td>{f.fixed || 'no fix yet'}</td>
                  <td>{f.target}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Wide>
      )}
      {scan.ignored.length > 0 && (
        <Wide label="Ignored findings">
          <table>
            <caption>Ignored ({scan.ignored.length})</caption>
            <thead>
              <tr>
                <th scope="col">ID</th>
                <th scope="col">Ignored by</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {scan.ignored.map((i) => (
                <tr key={i.id}>
                  <td>{i.id}</td>
                  <td>{i.reason.by}</td>
                  <td>{reasonOf(i.reason) || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Wide>
      )}
      {scan.staleIgnores.length > 0 && (
        <Wide label="Stale ignore entries">
          <table>
            <caption>Ignore entries past their date (no longer applied)</caption>
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">ID</th>
                <th scope="col">Expired</th>
                <th scope="col">Statement</th>
              </tr>
            </thead>
            <tbody>
              {scan.staleIgnores.map((s) => (
                <tr key={`${s.file}/${s.id}`}>
                  <td>
                    {s.file}
                    {s.line ? `:${s.line}` : ''}
                  </td>
                  <td>{s.id}</td>
                  <td>{s.expiredAt ?? '—'}</td>
                  <td>{s.statement ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Wide>
      )}
      {scan.notes.length > 0 && (
        <ul>
          {scan.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </Section>
  );
}
