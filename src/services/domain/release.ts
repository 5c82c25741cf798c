/** A release: one attempt to get one app/environment to one desired state. Pure data, no I/O. */

export const ACTIVE_PHASES = ['queued', 'building', 'scanning', 'deploying', 'verifying', 'rolling_back'] as const;
export const TERMINAL_PHASES = ['succeeded', 'blocked', 'rolled_back', 'failed', 'superseded', 'unverified'] as const;
export type ActivePhase = (typeof ACTIVE_PHASES)[number];
export type TerminalPhase = (typeof TERMINAL_PHASES)[number];
export type Phase = ActivePhase | TerminalPhase;

/** Release ids as the store mints them (r-<base36 time>-<6 hex>); anything else is refused at the doors. */
export const RELEASE_ID = /^r-[0-9a-z]{1,12}-[0-9a-f]{6}$/;

/** A Kubernetes-style DNS label: app and environment names at the doors, Deployment names in manifests. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export const isTerminal = (p: Phase): p is TerminalPhase => (TERMINAL_PHASES as readonly string[]).includes(p);

/** image: deploy a digest · manifest: apply k8s/ at a commit · build: ACR build of a commit · rollback: manual rollback */
export type ReleaseKind = 'image' | 'manifest' | 'build' | 'rollback';
export type Door = 'github' | 'acr' | 'manual';

export interface PinnedImage {
  registry: string;
  repository: string;
  digest: string;
  tag?: string;
}

export interface TimelineEntry {
  at: string;
  from: Phase | null;
  to: Phase;
  reason: string;
  correlationId: string;
}

export interface Release {
  id: string;
  app: string;
  environment: string;
  kind: ReleaseKind;
  phase: Phase;
  /** For image releases: the exact digest we deploy. Tags are informational only. */
  image?: PinnedImage;
  /** Image reference given as a tag that still has to be resolved to a digest (manual door). */
  unresolvedImage?: string;
  /** Git commit the release came from, when known (statuses, Deployments API, issues). */
  commit?: string;
  /** For manifest releases: the commit whose k8s/ is applied. */
  manifestCommit?: string;
  source: { door: Door; eventId: string; actor?: string; reason?: string };
  correlationId: string;
  createdAt: string;
  updatedAt: string;
  /** When the next reconcile tick is due; the sweeper re-drives releases past it. */
  nextCheckAt?: string;
  /** What an in-progress step is waiting for, and until when (every wait has a deadline). */
  wait?: { for: string; since: string; deadline: string; ref?: string };
  /** Step-specific state the pipeline keeps between ticks (scan run id, build run id, verification samples, ...). */
  progress: Record<string, unknown>;
  /** Human-facing results: scan summary, measurements, rollback details, links. */
  outcome: Record<string, unknown>;
  timeline: TimelineEntry[];
  /** Storage concurrency token; set by the store, never by the pipeline. */
  etag?: string;
}
