/**
 * Promotions: per environment of the graph, what runs there and what waits to move in (soak left,
 * approvals had of needed, freeze), then the trail of promotions — who asked, who approved (in GitHub
 * or through the API), the upstream release whose evidence moved, and what it became.
 */
import type { BoardRow, Promotion, PromotionPage } from '../types.js';
import { usePoll } from '../poll.js';
import { digestOf, shortDigest } from '../format.js';
import { releaseHref } from '../route.js';
import { LiveStatus, Section, useNow, When, Wide } from './bits.js';

type Env = PromotionPage['environments'][number];

const toneOf = (state: string) => (state === 'promoted' ? 'good' : state === 'pending' ? 'busy' : state === 'superseded' ? 'plain' : 'bad');

function policyText(e: Env): string {
  const p = e.policy;
  if (!e.from || !p) return 'where pushes deploy';
  const soak = p.soakSeconds ? `, soak ${p.soakSeconds} s` : '';
  const freeze = e.freeze?.length ? `, frozen at ${e.freeze.join(' · ')}` : '';
  if (p.kind === 'auto') return `from ${e.from}: automatic${soak}${freeze}`;
  return `from ${e.from}: ${p.approvals} approval${p.approvals === 1 ? '' : 's'} from ${p.approvers.join(', ')}${soak}${freeze}`;
}

/** "12 s of soak left" from the upstream success and the policy; the server's own words say the rest. */
function Waiting({ p, env, now }: { p: Promotion; env: Env | undefined; now: number }) {
  const policy = env?.policy;
  const left = policy ? Math.ceil((Date.parse(p.candidate.succeededAt) + policy.soakSeconds * 1000 - now) / 1000) : 0;
  return (
    <ul class="plain">
      <li>{left > 0 ? `soak: ${left} s left in ${p.from}` : `soak in ${p.from}: done`}</li>
      {policy?.kind === 'approval' && (
        <li class="approvals">
          approvals: {p.approvals.length} of {policy.approvals}
        </li>
      )}
      {/* The server's own words, when they say more than the two lines above (a freeze window, for one). */}
      {p.waitingFor && !/^(soak|approvals)/.test(p.waitingFor) && <li class="muted">{p.waitingFor}</li>}
    </ul>
  );
}

function Who({ p }: { p: Promotion }) {
  return (
    <>
      requested by <strong>{p.requestedBy}</strong>
      {p.comment ? ` (“${p.comment}”)` : ''}
      {p.approvals.map((a) => (
        <div key={a.by}>
          approved by <strong>{a.by}</strong>
          {a.via === 'github' ? ' in GitHub' : ''}
          {a.comment ? ` (“${a.comment}”)` : ''}
        </div>
      ))}
      {p.github?.notCounted?.map((n) => (
        <div key={`${n.login}-${n.state}`} class="muted">
          not counted: {n.reason}
        </div>
      ))}
    </>
  );
}

function EnvSection({ env, rows, pending, now }: { env: Env; rows: BoardRow[]; pending: Promotion[]; now: number }) {
  return (
    <Section title={env.name} id={`env-${env.name}`}>
      <p class="muted">{policyText(env)}</p>
      <dl class="runs">
        {rows.map((r) => (
          <div key={r.app}>
            <dt>{r.app}</dt>
            <dd>
              {r.running ? (
                <>
                  <a href={releaseHref(r.running.releaseId)}>
                    <code>{shortDigest(digestOf(r.running.release?.image))}</code>
                  </a>{' '}
                  <span class={`badge ${r.running.state === 'verified' ? 'good' : 'warn'}`}>{r.running.state}</span>
                </>
              ) : (
                'nothing yet'
              )}
            </dd>
          </div>
        ))}
      </dl>
      {pending.length > 0 && <h3>Waiting to move in</h3>}
      {pending.map((p) => (
        <div key={p.id} class="pending" data-promotion={p.id}>
          <strong>{p.app}</strong> <code>{shortDigest(p.candidate.target)}</code> from{' '}
          <a href={releaseHref(p.candidate.releaseId)}>{p.candidate.releaseId}</a> ({p.id})
          <Waiting p={p} env={env} now={now} />
          <Who p={p} />
        </div>
      ))}
    </Section>
  );
}

export function Promotions({ onUnauthorized }: { onUnauthorized: () => void }) {
  const polled = usePoll<PromotionPage>('promotions');
  const board = usePoll<{ environments: BoardRow[] }>('environments');
  const now = useNow(1000);
  const all = polled.data?.promotions ?? [];
  return (
    <>
      <h1 tabIndex={-1}>Promotions</h1>
      <LiveStatus polled={polled} onUnauthorized={onUnauthorized} />
      {polled.data?.environments.map((env) => (
        <EnvSection
          key={env.name}
          env={env}
          rows={(board.data?.environments ?? []).filter((r) => r.environment === env.name)}
          pending={all.filter((p) => p.to === env.name && p.state === 'pending')}
          now={now}
        />
      ))}
      <Section title="Trail" id="trail">
        <Wide label="Promotions, newest first">
          <table>
            <thead>
              <tr>
                <th scope="col">Promotion</th>
                <th scope="col">State</th>
                <th scope="col">Who</th>
                <th scope="col">Upstream evidence</th>
                <th scope="col">Became</th>
              </tr>
            </thead>
            <tbody>
              {all.map((p) => (
                <tr key={p.id} data-promotion={p.id}>
                  <td>
                    {p.app} {p.from}→{p.to} <code>{shortDigest(p.candidate.target)}</code>
                    <div class="muted">
                      <When at={p.requestedAt} now={now} />
                    </div>
                  </td>
                  <td>
                    <span class={`badge ${toneOf(p.state)}`}>{p.state}</span>
                    {p.reason ? <div class="muted">{p.reason}</div> : null}
                  </td>
                  <td>
                    <Who p={p} />
                  </td>
                  <td>
                    <a href={releaseHref(p.candidate.releaseId)}>{p.candidate.releaseId}</a> in {p.from}
                  </td>
                  <td>{p.releaseId ? <a href={releaseHref(p.releaseId)}>{p.releaseId}</a> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Wide>
        {all.length === 0 && <p>No promotions yet.</p>}
      </Section>
    </>
  );
}
