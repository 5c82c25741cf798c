/** A release: one attempt to get one app/environment to one desired state. Pure data, no I/O. */

export const ACTIVE_PHASES = ['queued', 'building', 'scanning', 'deploying', 'verifying', 'rolling_back'] as const;
export const TERMINAL_PHASES = ['succeeded', 'blocked', 'rolled_back', 'failed', 'superseded', 'unverified'] as const;
export type ActivePhase = (typeof ACTIVE_PHASES)[number];
export type TerminalPhase = (typeof TERMINAL_PHASES)[number];
export type Phase = ActivePhase | TerminalPhase;

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
