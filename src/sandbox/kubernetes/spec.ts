/** Deployment spec arithmetic shared by the controller simulation and its status computation. */
import { clone } from './patch.js';
import type { KObj } from './store.js';

export const REVISION = 'deployment.kubernetes.io/revision';
export const HASH = 'pod-template-hash';

export interface DeploymentSpec {
  replicas?: number;
  minReadySeconds?: number;
  progressDeadlineSeconds?: number;
  revisionHistoryLimit?: number;
  selector?: { matchLabels?: Record<string, string> };
  strategy?: { type?: string; rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string } };
  template: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> };
}

export const replicasOf = (o: KObj): number => Number(o.spec?.replicas ?? 0);
export const revisionOf = (o: KObj): number => Number(o.metadata.annotations?.[REVISION] ?? 0);
export const isReady = (p: KObj) =>
  ((p.status?.conditions ?? []) as { type: string; status: string }[]).some((c) => c.type === 'Ready' && c.status === 'True');

function intOrPercent(v: number | string | undefined, of: number, def: string, roundUp: boolean): number {
  const value = v ?? def;
  if (typeof value === 'number') return value;
  const pct = (Number(value.replace('%', '')) * of) / 100;
  return roundUp ? Math.ceil(pct) : Math.floor(pct);
}
export const surgeOf = (s: DeploymentSpec): number => intOrPercent(s.strategy?.rollingUpdate?.maxSurge, s.replicas ?? 1, '25%', true);
export function unavailableOf(s: DeploymentSpec): number {
  const u = intOrPercent(s.strategy?.rollingUpdate?.maxUnavailable, s.replicas ?? 1, '25%', false);
  // Both zero would deadlock; the real controller then allows one unavailable pod.
  return u === 0 && surgeOf(s) === 0 ? 1 : u;
}

/** Templates are equal ignoring pod-template-hash (the controller's EqualIgnoreHash). */
export function sameTemplate(a: unknown, b: unknown): boolean {
  const strip = (t: unknown) => {
    const c = clone(t) as DeploymentSpec['template'] | undefined;
    if (c?.metadata?.labels) delete c.metadata.labels[HASH];
    return canonical(c);
  };
  return strip(a) === strip(b);
}

export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

export function omitZero(o: Record<string, number>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== 0));
}
