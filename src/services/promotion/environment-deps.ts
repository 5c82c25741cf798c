/**
 * Each environment of the graph may have its own cluster, namespace and verification: the pipeline
 * reconciles a release with the deps of the release's environment, built once here from the shared ones.
 */
import type { Catalog } from '../domain/catalog.js';
import type { Cluster, Telemetry } from '../ports.js';
import type { PipelineDeps, PipelineSettings } from '../pipeline/deps.js';
import { verificationSettings } from '../verification/settings.js';
import type { Environment, PromotionGraph } from './graph.js';

/** The environment's verification settings over the shared ones; throws RangeError naming a bad combination. */
export function environmentSettings(base: PipelineSettings, env: Environment): PipelineSettings {
  const v = env.verify;
  if (!v) return base;
  return {
    ...base,
    ...(v.windowSeconds !== undefined ? { verifyWindowSeconds: v.windowSeconds } : {}),
    verification: verificationSettings({
      ...base.verification,
      ...(v.errorRateMax !== undefined ? { errorRateMax: v.errorRateMax } : {}),
      ...(v.p95MsMax !== undefined ? { p95MsMax: v.p95MsMax } : {}),
    }),
  };
}

/** The catalog as this environment runs it: its namespace, and each app's role name in its telemetry. */
const catalogIn = (catalog: Catalog, env: Environment): Catalog =>
  env.namespace || Object.keys(env.telemetry?.roles ?? {}).length
    ? {
        ...catalog,
        apps: catalog.apps.map((a) => ({
          ...a,
          ...(env.namespace ? { namespace: env.namespace } : {}),
          telemetryRole: env.telemetry?.roles[a.name] ?? a.telemetryRole,
        })),
      }
    : catalog;

/** What an environment has of its own: its cluster, its telemetry backend (adapters built once in compose). */
export interface EnvironmentPorts {
  clusters: Record<string, Cluster>;
  telemetry?: Record<string, Telemetry>;
}

/** Deps per environment that differs from the shared ones (its own cluster, telemetry, namespace, roles or verification). */
export function environmentDeps(d: PipelineDeps, graph: PromotionGraph, ports: EnvironmentPorts): Record<string, PipelineDeps> {
  const out: Record<string, PipelineDeps> = {};
  for (const env of graph.environments) {
    const cluster = ports.clusters[env.name];
    const telemetry = ports.telemetry?.[env.name];
    if (!cluster && !telemetry && !env.namespace && !env.verify && !env.telemetry) continue;
    out[env.name] = {
      ...d,
      ...(cluster ? { cluster } : {}),
      ...(telemetry ? { telemetry } : {}),
      catalog: catalogIn(d.catalog, env),
      settings: environmentSettings(d.settings, env),
    };
  }
  return out;
}
