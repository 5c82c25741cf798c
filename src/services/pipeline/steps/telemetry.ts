/**
 * The telemetry the verifying step reads: which apps a release verifies, and their requests over a
 * window (only the new version's where the telemetry says which), each with the slow-request count
 * the latency test needs. One failing query makes the whole answer unavailable: never partial data
 * as a pass.
 */
import type { TelemetrySample } from '../../ports.js';
import type { AppSpec } from '../../domain/catalog.js';
import type { Result } from '../../domain/result.js';
import type { ReleaseOutcome } from '../../domain/release.js';
import type { Counts } from '../../verification/index.js';
import { shown, testCounts } from '../telemetry-verdict.js';
import { addSeconds, type StepContext } from './common.js';

/** The apps a release verifies: its own, or every app whose Deployment a manifest release applied. */
export function appsOf(c: StepContext): AppSpec[] {
  if (c.app) return [c.app];
  const pins = c.r.progress.manifest?.pins ?? {};
  return c.d.catalog.apps.filter((a) => a.name in pins);
}

/**
 * The same-length window before the deploy: per app as the decision reads it (was the old version
 * already failing? is the new one worse?), all apps together as people read it.
 */
export async function baselineOf(
  c: StepContext,
): Promise<{ perApp: Record<string, Counts>; shown: ReleaseOutcome['baseline'] } | undefined> {
  const { r, d } = c;
  const to = new Date(r.progress.imageSetAt ?? c.now.toISOString());
  const from = addSeconds(to, -d.settings.verifyWindowSeconds);
  const res = await requestsOf(c, appsOf(c), from, to, false);
  if (!res.ok) return undefined;
  return {
    perApp: Object.fromEntries(res.value.map((x) => [x.app, testCounts(x.sample)])),
    shown: { ...shown(combine(res.value.map((x) => x.sample))), from: from.toISOString(), to: to.toISOString() },
  };
}

/** The AppVersion the new release reports, when the catalog says its telemetry carries one. */
export function versionOf(app: AppSpec, r: StepContext['r']): string | undefined {
  if (!r.image || app.name !== r.app) return undefined;
  if (app.telemetryVersion === 'tag') return r.image.tag;
  if (app.telemetryVersion === 'digest') return r.image.digest;
  return undefined;
}

/**
 * Telemetry for each app; one failing query makes the whole answer unavailable (never partial data as
 * a pass). During verification only the new version's requests count, where the telemetry says which.
 */
export async function requestsOf(
  c: StepContext,
  apps: AppSpec[],
  from: Date,
  to: Date,
  newVersionOnly: boolean,
): Promise<Result<{ app: string; sample: TelemetrySample }[]>> {
  const out: { app: string; sample: TelemetrySample }[] = [];
  for (const app of apps) {
    const version = newVersionOnly ? versionOf(app, c.r) : undefined;
    const res = await c.d.telemetry.requests({
      roleName: app.telemetryRole,
      from,
      to,
      ...(version ? { version } : {}),
      slowAboveMs: c.d.settings.verification.p95MsMax,
    });
    if (!res.ok) return res;
    out.push({ app: app.name, sample: res.value });
  }
  return { ok: true, value: out };
}

/** For the baseline people read: the apps' traffic together (P95 of the worst). */
function combine(samples: TelemetrySample[]): TelemetrySample {
  const p95s = samples.map((s) => s.p95Ms).filter((x): x is number => x !== null);
  const sum = (f: (s: TelemetrySample) => number | undefined) => samples.reduce((a, s) => a + (f(s) ?? 0), 0);
  return {
    requests: sum((s) => s.requests),
    failures: sum((s) => s.failures),
    p95Ms: p95s.length ? Math.max(...p95s) : null,
    ...(samples.every((s) => s.slow !== undefined) ? { slow: sum((s) => s.slow) } : {}),
  };
}
