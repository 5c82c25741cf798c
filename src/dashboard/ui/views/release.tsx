/** One release, live: what it is, its timeline, the scan verdict, verification evidence, rollout evidence, links, actions. */
import type { ReleaseView } from '../types.js';
import { usePoll } from '../poll.js';
import { label } from '../format.js';
import { releaseHref } from '../route.js';
import { LiveStatus, Phase, Section, useNow, When, Wide } from './bits.js';
import { ScanVerdict } from './scan.js';
import { RolloutEvidence } from './rollout.js';
import { Verification } from './verification.js';
import type { ActionRequest } from './action-dialog.js';

const LINK_NAMES: Record<string, string> = {
  self: 'API record',
  commit: 'Commit',
  deployment: 'GitHub Deployment',
  issue: 'GitHub issue',
  sarif: 'SARIF analysis',
};

function Timeline({ r, now }: { r: ReleaseView; now: number }) {
  return (
    <Section title="Timeline" id="timeline">
      <Wide label="Timeline">
        <table class="timeline">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Transition</th>
              <th scope="col">Reason</th>
              <th scope="col">Correlation id</th>
            </tr>
          </thead>
          <tbody>
            {(r.timeline ?? []).map((t, i) => (
              <tr key={`${t.at}/${i}`}>
                <td>
                  <When at={t.at} now={now} />
                </td>
                <td>
                  {t.from ? `${label(t.from)} → ` : ''}
                  <Phase phase={t.to} />
                </td>
                <td>{t.reason}</td>
                <td>
                  <code>{t.correlationId}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Wide>
      {r.waitingFor && (
        <p>
          Waiting for {r.waitingFor.for}, until <When at={r.waitingFor.deadline} now={now} /> at the latest.
        </p>
      )}
    </Section>
  );
}

function Summary({ r, now, onAction }: { r: ReleaseView; now: number; onAction: (a: ActionRequest) => void }) {
  const rb = r.rollback;
  return (
    <Section title="Release" id="summary">
      <dl class="facts">
        <dt>App / environment</dt>
        <dd>
          {r.app} / {r.environment}
        </dd>
        <dt>Kind</dt>
        <dd>{r.kind}</dd>
        <dt>Image</dt>
        <dd>
          <code>{r.image ?? '—'}</code>
          {r.tag ? ` (tag ${r.tag})` : ''}
        </dd>
        {r.commit && (
          <>
            <dt>Commit</dt>
            <dd>
              <code>{r.commit}</code>
            </dd>
          </>
        )}
        <dt>Door</dt>
        <dd>
          {r.source.door} {r.source.actor ? `· by ${r.source.actor}` : ''} {r.source.reason ? `· ${r.source.reason}` : ''}
        </dd>
        <dt>Created</dt>
        <dd>
          <When at={r.createdAt} now={now} />
        </dd>
        {rb && (
          <>
            <dt>Rollback</dt>
            <dd>
              {rb.mode === 'image' ? (
                <>
                  to <a href={releaseHref(rb.toReleaseId)}>{rb.toReleaseId}</a>
                </>
              ) : (
                rb.mode
              )}{' '}
              · {rb.reason}
            </dd>
          </>
        )}
      </dl>
      <ul class="links" aria-label="Links">
        {Object.entries(r.links).map(([k, href]) => (
          <li key={k}>
            <a href={href} rel="noreferrer" target={k === 'self' ? undefined : '_blank'}>
              {LINK_NAMES[k] ?? k}
            </a>
          </li>
        ))}
      </ul>
      <div class="actions">
        {r.phase === 'succeeded' && r.kind !== 'build' && r.kind !== 'version' && (
          <button
            type="button"
            onClick={() =>
              onAction({ kind: 'rollback', app: r.app, environment: r.environment, to: r.id, ...(r.image ? { image: r.image } : {}) })
            }
          >
            Roll back to this release…
          </button>
        )}
        <button type="button" onClick={() => onAction({ kind: 'redeploy', app: r.app, environment: r.environment })}>
          Redeploy {r.app}…
        </button>
      </div>
    </Section>
  );
}

export function ReleaseDetail({
  id,
  onAction,
  onUnauthorized,
}: {
  id: string;
  onAction: (a: ActionRequest) => void;
  onUnauthorized: () => void;
}) {
  const polled = usePoll<ReleaseView>(`deployments/${id}`);
  const now = useNow();
  const r = polled.data;
  return (
    <>
      <h1 tabIndex={-1}>
        Release {id} {r && <Phase phase={r.phase} />}
      </h1>
      <LiveStatus polled={polled} onUnauthorized={onUnauthorized} />
      {r && (
        <div class="release" data-phase={r.phase}>
          <Summary r={r} now={now} onAction={onAction} />
          <Timeline r={r} now={now} />
          {r.scan && <ScanVerdict scan={r.scan} />}
          <Verification r={r} />
          <RolloutEvidence r={r} />
        </div>
      )}
    </>
  );
}
