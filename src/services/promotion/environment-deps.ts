/**
 * Each environment of the graph may have its own cluster, namespace and verification: the pipeline
 * reconciles a release with the deps of the release's environment, built once here from the shared ones.
 */
import type { Catalog } from '../domain/catalog.js';
import type { Cluster } from '../ports.js';
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

const inNamespace = (catalog: Catalog, namespace: string | undefined): Catalog =>
  namespace ? { ...catalog, apps: catalog.apps.map((a) => ({ ...a, namespace })) } : catalog;

/** Deps per environment that differs from the shared ones (its own cluster, namespace or verification). */
export function environmentDeps(d: PipelineDeps, graph: PromotionGraph, clusters: Record<string, Cluster>): Record<string, PipelineDeps> {
  const out: Record<string, PipelineDeps> = {};
  for (const env of graph.environments) {
    const cluster = clusters[env.name];
    if (!cluster && !env.namespace && !env.verify) continue;
    out[env.name] = {
      ...d,
      ...(cluster ? { cluster } : {}),
      catalog: inNamespace(d.catalog, env.namespace),
      settings: environmentSettings(d.settings, env),
    };
  }
  return out;
}
