/** Release history: filters (app, environment, outcome, door) in the URL, newest first, page by page. */
import type { BoardRow, ReleasePage } from '../types.js';
import { DOORS, PHASES } from '../types.js';
import { usePoll } from '../poll.js';
import { digestOf, label, shortCommit, shortDigest } from '../format.js';
import { historyHref, releaseHref } from '../route.js';
import { LiveStatus, Phase, useNow, When, Wide } from './bits.js';

const FILTERS = ['app', 'environment', 'phase', 'door'] as const;
type Filter = (typeof FILTERS)[number];

function Select({
  name,
  text,
  value,
  options,
  query,
}: {
  name: Filter;
  text: string;
  value: string;
  options: readonly string[];
  query: URLSearchParams;
}) {
  return (
    <label>
      {text}
      <select
        name={name}
        value={value}
        onChange={(e) => {
          const next = Object.fromEntries(FILTERS.map((f) => [f, query.get(f) ?? undefined]));
          next[name] = e.currentTarget.value || undefined;
          location.hash = historyHref(next);
        }}
      >
        <option value="">any</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {label(o)}
          </option>
        ))}
      </select>
    </label>
  );
}

export function History({ query, onUnauthorized }: { query: URLSearchParams; onUnauthorized: () => void }) {
  const api = new URLSearchParams();
  for (const f of [...FILTERS, 'cursor'] as const) {
    const v = query.get(f);
    if (v) api.set(f, v);
  }
  api.set('limit', '25');
  const polled = usePoll<ReleasePage>(`deployments?${api.toString()}`);
  // The filter's choices come from the board, asked for once the first page is shown (the two reads would compete).
  const cells = usePoll<{ environments: BoardRow[] }>(polled.data ? 'environments' : null, 60_000);
  const now = useNow();
  const rows = cells.data?.environments ?? [];
  const apps = [...new Set(rows.map((r) => r.app))];
  const envs = [...new Set(rows.map((r) => r.environment))];
  const filters = Object.fromEntries(FILTERS.map((f) => [f, query.get(f) ?? undefined]));
  const page = polled.data;
  return (
    <>
      <h1 tabIndex={-1}>Releases</h1>
      <form class="filters" aria-label="Filter releases" onSubmit={(e) => e.preventDefault()}>
        <Select name="app" text="App" value={query.get('app') ?? ''} options={apps} query={query} />
        <Select name="environment" text="Environment" value={query.get('environment') ?? ''} options={envs} query={query} />
        <Select name="phase" text="Outcome" value={query.get('phase') ?? ''} options={PHASES} query={query} />
        <Select name="door" text="Door" value={query.get('door') ?? ''} options={DOORS} query={query} />
      </form>
      <LiveStatus polled={polled} onUnauthorized={onUnauthorized} />
      <Wide label="Releases, newest first">
        <table class="releases">
          <caption class="sr-only">Releases, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Release</th>
              <th scope="col">App / environment</th>
              <th scope="col">Outcome</th>
              <th scope="col">What</th>
              <th scope="col">Door</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {page?.releases.map((r) => (
              <tr key={r.id} data-release={r.id}>
                <td>
                  <a href={releaseHref(r.id)}>{r.id}</a>
                </td>
                <td>
                  {r.app} / {r.environment}
                </td>
                <td>
                  <Phase phase={r.phase} />
                </td>
                <td>
                  {r.kind} <code>{shortDigest(digestOf(r.image))}</code>
                  {r.tag ? ` (${r.tag})` : ''}
                  {r.commit ? (
                    <>
                      {' '}
                      · <code>{shortCommit(r.commit)}</code>
                    </>
                  ) : null}
                </td>
                <td>
                  {r.source.door}
                  {r.source.actor ? ` · ${r.source.actor}` : ''}
                </td>
                <td>
                  <When at={r.createdAt} now={now} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Wide>
      {page && page.releases.length === 0 && <p>No release matches.</p>}
      {page?.history?.indexing && <p class="muted">Older releases are still being indexed; some may not be listed yet.</p>}
      {page?.history?.keptSince && <p class="muted">History goes back to {page.history.keptSince.slice(0, 10)}.</p>}
      <nav class="pager" aria-label="Pages">
        {query.get('cursor') && <a href={historyHref({ ...filters })}>Newest</a>}
        {page?.cursor && <a href={historyHref({ ...filters, cursor: page.cursor })}>Older releases</a>}
      </nav>
    </>
  );
}
