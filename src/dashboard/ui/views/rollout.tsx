/** What the cluster said: rollout state, pod problems, events, smoke checks. */
import type { ReleaseView } from '../types.js';
import { Section, Wide } from './bits.js';

export function RolloutEvidence({ r }: { r: ReleaseView }) {
  const o = r.outcome;
  const rollout = o.failure?.rollout ?? o.rollout;
  const pods = [...(o.failure?.podProblems ?? []), ...(o.rollbackFailure?.podProblems ?? [])];
  const events = o.failure?.events ?? [];
  const smoke = o.failure?.smoke ?? o.smoke ?? [];
  if (!rollout && pods.length === 0 && events.length === 0 && smoke.length === 0) return null;
  return (
    <Section title="Rollout evidence" id="rollout">
      {rollout && (
        <p>
          Revision {rollout.revision ?? '?'}: {rollout.available} of {rollout.replicas} available, {rollout.ready} ready.
        </p>
      )}
      {pods.length > 0 && (
        <Wide label="Pod problems">
          <table>
            <caption>Pod problems</caption>
            <thead>
              <tr>
                <th scope="col">Pod</th>
                <th scope="col">Container</th>
                <th scope="col">Reason</th>
                <th scope="col">Restarts</th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {pods.map((p, i) => (
                <tr key={`${p.pod}/${i}`}>
                  <td>{p.pod}</td>
                  <td>{p.container ?? '—'}</td>
                  <td>{p.reason}</td>
                  <td>{p.restartCount ?? '—'}</td>
                  <td>{p.message ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Wide>
      )}
      {events.length > 0 && (
        <Wide label="Pod events">
          <table>
            <caption>Events</caption>
            <thead>
              <tr>
                <th scope="col">Object</th>
                <th scope="col">Type</th>
                <th scope="col">Reason</th>
                <th scope="col">Count</th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e, i) => (
                <tr key={`${e.involvedObject}/${i}`}>
                  <td>{e.involvedObject}</td>
                  <td>{e.type}</td>
                  <td>{e.reason}</td>
                  <td>{e.count ?? 1}</td>
                  <td>{e.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Wide>
      )}
      {smoke.length > 0 && (
        <ul>
          {smoke.map((s) => (
            <li key={s.check}>
              <span class={`badge ${s.ok ? 'good' : 'bad'}`}>{s.ok ? 'ok' : 'failed'}</span> smoke {s.check}: {s.status ?? '—'} in{' '}
              {s.durationMs} ms
              {s.detail ? ` (${s.detail})` : ''}
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
