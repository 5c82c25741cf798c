/**
 * What one look at a promotion reads, each row once: the heads, the upstream releases since the
 * candidate succeeded, the upstream alerts.
 */
import type { Head } from '../domain/head.js';
import type { Release } from '../domain/release.js';
import { adapterError, err } from '../domain/result.js';
import type { ReleaseStore } from '../ports.js';
import type { PromotionFacts } from './assess.js';
import { environmentOf, type PromotionGraph } from './graph.js';
import type { Alerts } from './ports.js';

export interface FactsDeps {
  graph: PromotionGraph;
  intake: { store: Pick<ReleaseStore, 'head' | 'page'> };
  alerts?: Alerts;
}

/** Upstream releases looked at, at most, for a rollback since the candidate. */
const RECENT_UPSTREAM = 50;
/** Upstream releases read per page on a look: most looks find none newer than the candidate but itself. */
const SINCE_PAGE = 4;

/**
 * The facts one look needs, each row read once: every environment's head (those already read are passed
 * in), and on a look at a pending promotion the upstream releases since the candidate succeeded, read
 * newest first a small page at a time until one is older (usually one page, however long history is),
 * and the upstream alerts once the soak is over (`alertsToo`).
 */
export async function factsFor(
  d: FactsDeps,
  app: string,
  from: string,
  to: string,
  look?: { since: string; alertsToo: boolean },
  read: Head[] = [],
): Promise<PromotionFacts> {
  const targets = look?.alertsToo ? (environmentOf(d.graph, from)?.alertTargets ?? []) : [];
  const [heads, recent, upstreamAlerts] = await Promise.all([
    Promise.all(d.graph.environments.map(async (e) => read.find((h) => h.environment === e.name) ?? d.intake.store.head(app, e.name))),
    look ? releasesSince(d, app, from, look.since) : Promise.resolve([]),
    targets.length ? alertsOn(d, targets) : Promise.resolve(undefined),
  ]);
  const byEnv = (name: string): Head => heads.find((h) => h.environment === name) ?? { app, environment: name, quarantined: [] };
  return {
    upstream: byEnv(from),
    target: byEnv(to),
    everywhere: heads,
    upstreamSince: recent,
    ...(upstreamAlerts ? { upstreamAlerts } : {}),
  };
}

async function releasesSince(d: FactsDeps, app: string, environment: string, since: string): Promise<Release[]> {
  const out: Release[] = [];
  let after: string | undefined;
  for (let i = 0; i * SINCE_PAGE < RECENT_UPSTREAM; i++) {
    const page = await d.intake.store.page({ app, environment, limit: SINCE_PAGE, ...(after ? { after } : {}) });
    out.push(...page.releases.filter((r) => r.createdAt >= since));
    const oldest = page.releases.at(-1);
    if (!page.next || !oldest || oldest.createdAt < since) break;
    after = page.next;
  }
  return out;
}

/** The alerts firing on an environment's resources; without an alerts API they are unknown, never quiet. */
async function alertsOn(d: FactsDeps, targets: string[]): Promise<NonNullable<PromotionFacts['upstreamAlerts']>> {
  if (!d.alerts) return err(adapterError('alerts', 'invalid', 'no alerts API configured (MONITOR_ALERTS_ENDPOINT / ARM_ENDPOINT)'));
  try {
    return await d.alerts.firing(targets);
  } catch (e) {
    return err(adapterError('alerts', 'transient', e instanceof Error ? e.message : String(e)));
  }
}
