/** What runs where: one card per app × environment, live. */
import type { BoardRow } from '../types.js';
import { usePoll } from '../poll.js';
import { digestOf, shortCommit, shortDigest } from '../format.js';
import { historyHref, releaseHref } from '../route.js';
import { LiveStatus, Phase, useNow, When } from './bits.js';
import type { ActionRequest } from './action-dialog.js';

interface Props {
  onAction: (a: ActionRequest) => void;
  onUnauthorized: () => void;
}

function Running({ row, now }: { row: BoardRow; now: number }) {
  const run = row.running;
  if (!run) return <dd>nothing deployed by the deployer yet</dd>;
  const r = run.release;
  const digest = digestOf(r?.image);
  return (
    <dd>
      <a href={releaseHref(run.releaseId)}>
        <code title={digest}>{shortDigest(digest)}</code>
        {r?.tag ? ` (${r.tag})` : ''}
      </a>
      {r?.commit ? (
        <>
          {' '}
          · commit <code>{shortCommit(r.commit)}</code>
        </>
      ) : null}{' '}
      <span class={`badge ${run.state === 'verified' ? 'good' : run.state === 'unverified' ? 'warn' : 'bad'}`}>{run.state}</span>
      {run.via ? (
        <>
          {' '}
          after rollback <a href={releaseHref(run.via)}>{run.via}</a>
        </>
      ) : null}
      <br />
      since <When at={run.since} now={now} />
    </dd>
  );
}

function Cell({ row, now, onAction }: { row: BoardRow; now: number; onAction: Props['onAction'] }) {
  const id = `cell-${row.app}-${row.environment}`;
  const active = row.active;
  return (
    <article class="card cell" aria-labelledby={id} data-app={row.app} data-environment={row.environment}>
      <h2 id={id}>
        {row.app} <span class="env">{row.environment}</span>
      </h2>
      <dl>
        <dt>Running</dt>
        <Running row={row} now={now} />
        <dt>In progress</dt>
        <dd class="progress">
          {active ? (
            <>
              <Phase phase={active.phase} /> <a href={releaseHref(active.id)}>{active.id}</a>
              {active.phase === 'verifying' ? <strong> verification in progress</strong> : null}
              {active.waitingFor ? <div class="muted">{active.waitingFor.for}</div> : null}
            </>
          ) : (
            'nothing'
          )}
        </dd>
        <dt>Last release</dt>
        <dd class="latest">
          {row.latest ? (
            <>
              <Phase phase={row.latest.phase} /> <a href={releaseHref(row.latest.id)}>{row.latest.id}</a> ·{' '}
              <When at={row.latest.updatedAt} now={now} />
            </>
          ) : (
            'none'
          )}
        </dd>
      </dl>
      {row.quarantined.length > 0 && (
        <details>
          <summary>
            {row.quarantined.length} quarantined digest{row.quarantined.length === 1 ? '' : 's'}
          </summary>
          <ul class="plain">
            {row.quarantined.map((q) => (
              <li key={q.digest}>
                <code title={q.digest}>{shortDigest(q.digest)}</code> after <a href={releaseHref(q.releaseId)}>{q.releaseId}</a>{' '}
                <button
                  type="button"
                  onClick={() =>
                    onAction({
                      kind: 'release',
                      app: row.app,
                      environment: row.environment,
                      image: `${row.repository}@${q.digest}`,
                      from: q.releaseId,
                    })
                  }
                >
                  Release from quarantine…
                </button>
              </li>
            ))}
          </ul>
        </details>
      )}
      <div class="actions">
        <button type="button" onClick={() => onAction({ kind: 'redeploy', app: row.app, environment: row.environment })}>
          Redeploy…
        </button>
        <a class="button" href={historyHref({ app: row.app, environment: row.environment, phase: 'succeeded' })}>
          Roll back to a verified release…
        </a>
        <a href={historyHref({ app: row.app, environment: row.environment })}>History</a>
      </div>
    </article>
  );
}

export function Board({ onAction, onUnauthorized }: Props) {
  const polled = usePoll<{ environments: BoardRow[] }>('environments');
  const now = useNow();
  return (
    <>
      <h1 tabIndex={-1}>What runs where</h1>
      <LiveStatus polled={polled} onUnauthorized={onUnauthorized} />
      <div class="grid">
        {polled.data?.environments.map((row) => (
          <Cell key={`${row.app}/${row.environment}`} row={row} now={now} onAction={onAction} />
        ))}
      </div>
    </>
  );
}
