/**
 * "What runs where" (GET /api/environments): for every app × environment of the catalog, the
 * release whose image runs now and since when, the one in progress, the latest one and its outcome,
 * and the quarantined digests. The head says what is in progress and what was last verified;
 * the newest releases say what happened since (an unverified release runs without being verified,
 * a rollback puts its target back). Reads: one head and one short list per app/environment.
 */
import type { Catalog } from './domain/catalog.js';
import type { Head } from './domain/head.js';
import type { Release } from './domain/release.js';
import type { ReleaseStore } from './ports.js';
import { releaseView, type ReleaseView } from './release-view.js';

/** How many of an app/environment's newest releases are read to find what runs. */
export const RECENT = 25;

export interface Running {
  /** The release whose image (or manifests) run. */
  releaseId: string;
  /** verified: it passed verification; unverified: telemetry could not judge it; unknown: a rollback failed. */
  state: 'verified' | 'unverified' | 'unknown';
  since: string;
  /** The release that put it there when that was a rollback. */
  via?: string;
}

export interface BoardRow {
  app: string;
  environment: string;
  /** registry/repository of the app's images, for deploying a digest by reference. */
  repository: string;
  running?: Running & { release?: ReleaseView };
  active?: ReleaseView;
  latest?: ReleaseView;
  quarantined: Head['quarantined'];
}

export interface BoardDeps {
  store: ReleaseStore;
  catalog: Catalog;
  loginServer: string;
  publicUrl: string;
}

/** Newest first: the first release that changed the cluster and ended says what runs. */
export function runningOf(recent: Release[], head: Head): Running | undefined {
  for (const r of recent) {
    if (r.kind === 'build' || r.kind === 'version') continue; // they change no cluster
    if (r.phase === 'succeeded') return { releaseId: r.id, state: 'verified', since: r.updatedAt };
    if (r.phase === 'unverified') return { releaseId: r.id, state: 'unverified', since: r.updatedAt };
    if (r.phase === 'failed' && r.outcome.rollbackFailure) return { releaseId: r.id, state: 'unknown', since: r.updatedAt };
    if (r.phase === 'rolled_back') {
      const to = r.outcome.rollback?.mode === 'image' ? r.outcome.rollback.toReleaseId : head.lastGood?.releaseId;
      if (to) return { releaseId: to, state: 'verified', since: r.updatedAt, via: r.id };
    }
  }
  return head.lastGood ? { releaseId: head.lastGood.releaseId, state: 'verified', since: '' } : undefined;
}

export async function readBoard(d: BoardDeps): Promise<BoardRow[]> {
  const cells = d.catalog.apps.flatMap((a) => a.environments.map((environment) => ({ app: a, environment })));
  return Promise.all(
    cells.map(async ({ app, environment }) => {
      const [head, recent] = await Promise.all([
        d.store.head(app.name, environment),
        d.store.list({ app: app.name, environment, limit: RECENT }),
      ]);
      const find = async (id: string | undefined) => (id ? (recent.find((r) => r.id === id) ?? (await d.store.get(id))) : undefined);
      const view = (r: Release | undefined) => (r ? releaseView({ ...r, timeline: [] }, d.publicUrl, false) : undefined);
      const running = runningOf(recent, head);
      const runningRelease = await find(running?.releaseId);
      const active = await find(head.active?.releaseId);
      const row: BoardRow = {
        app: app.name,
        environment,
        repository: `${d.loginServer}/${app.acrRepository}`,
        quarantined: head.quarantined,
      };
      if (running) {
        const since = running.since || runningRelease?.updatedAt || '';
        row.running = { ...running, since, ...(runningRelease ? { release: view(runningRelease) } : {}) };
      }
      if (active) row.active = view(active);
      if (recent[0]) row.latest = view(recent[0]);
      return row;
    }),
  );
}
