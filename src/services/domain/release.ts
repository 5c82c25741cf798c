/** A release: one attempt to get one app/environment to one desired state. Pure data, no I/O. */
import type { ClusterEvent, Measurements, PodProblem, SmokeResult, Thresholds } from './observations.js';
import type { Counts, VerificationDecision, VerificationOutcome, WeightedCounts } from '../verification/index.js';
import type { AdapterErrorKind } from './result.js';

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

/**
 * image: deploy a digest · manifest: apply k8s/ at a commit · build: ACR build of a commit · rollback: manual rollback ·
 * version: a pushed git tag vX.Y.Z — tag the commit's gated digest with it (building it first when never built); deploys nothing
 */
export type ReleaseKind = 'image' | 'manifest' | 'build' | 'rollback' | 'version';
/** promotion: a release that succeeded in the environment upstream, moved on (src/services/promotion). */
export type Door = 'github' | 'acr' | 'manual' | 'promotion';

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
  /** The semantic version (a pushed git tag vX.Y.Z) this release carries; the digest is tagged with it. */
  version?: string;
  source: { door: Door; eventId: string; actor?: string; reason?: string };
  /** Promotion releases: where they came from, who asked and who approved (src/services/promotion). */
  promotion?: PromotionRef;
  correlationId: string;
  createdAt: string;
  updatedAt: string;
  /** When the next reconcile tick is due; the sweeper re-drives releases past it. */
  nextCheckAt?: string;
  /** What an in-progress step is waiting for, and until when (every wait has a deadline). */
  wait?: Wait;
  /** Step-specific state the pipeline keeps between ticks (scan run id, build run id, verification samples, ...). */
  progress: ReleaseProgress;
  /** Human-facing results: scan summary, measurements, rollback details, links. */
  outcome: ReleaseOutcome;
  timeline: TimelineEntry[];
  /** Storage concurrency token; set by the store, never by the pipeline. */
  etag?: string;
  /**
   * When the stored version `etag` names was next due (ms; the far end of the Date range for
   * never): the store moves its due index from this. Set by the store, never by the pipeline.
   */
  storedDueMs?: number;
}

// ---------------------------------------------------------------- waits

/** What a waiting step waits on; a new kind of wait starts its own clock (`since`). */
export const WAIT_ON = ['registry', 'build', 'scan', 'slot', 'kubernetes', 'rollout', 'rollback', 'smoke', 'telemetry', 'source'] as const;
export type WaitOn = (typeof WAIT_ON)[number];

/** How a wait reads to people: "<label>: <detail>" (GET /api/deployments shows it as `waitingFor.for`). */
export const WAIT_LABELS: Record<WaitOn, string> = {
  registry: 'registry',
  build: 'acr',
  scan: 'scanner',
  slot: 'deploy slot',
  kubernetes: 'kubernetes',
  rollout: 'rollout',
  rollback: 'rollback rollout',
  smoke: 'smoke',
  telemetry: 'telemetry',
  source: 'github',
};

export interface Wait {
  on: WaitOn;
  /** For people: what exactly, e.g. "rollout: 1 of 2 updated replicas". */
  for: string;
  since: string;
  deadline: string;
}

// ---------------------------------------------------------------- progress: what the steps keep between ticks

/** Build releases: the push that asked for the build. */
export interface PushProgress {
  compare?: string;
  truncated?: boolean;
}

/** queued (manual door): the tag was resolved to a digest. */
export interface ResolveProgress {
  resolvedTagAt?: string;
  /** Version releases: when the tag's commit was found in the deploy branch's history (GitHub compare). */
  onDeployBranchAt?: string;
}

export interface BuildProgress {
  buildRunId?: string;
  buildStartedAt?: string;
}

export interface ScanProgress {
  scanRunId?: string;
  scanStartedAt?: string;
  scanAttempt?: number;
}

/** What the deploy step will do, recorded before it touches the cluster. */
export interface DeployIntent {
  /** The pinned image to set; absent when undoing to the previous revision. */
  image?: string;
  undo?: boolean;
  previousImage?: string;
  previousRevision?: string;
  /** The Deployment's last writer token when the intent was recorded: the only one the change may follow. */
  previousWriter?: string;
}

export interface DeployProgress {
  deployIntent?: DeployIntent;
  /** Set once the cluster took the change; its absence means nothing was changed yet. */
  imageSetAt?: string;
  imageChanged?: boolean;
  rolloutCompleteAt?: string;
}

/** One image a manifest release applies: pinned by digest, named where the manifests name it, and its scan. */
export interface GatedImage {
  /** registry/repository@sha256:… — what is scanned and what is applied. */
  image: string;
  /** Every place it is named, e.g. "k8s/apps/x.yaml#3 Deployment/x at spec.template.spec.containers[1].image". */
  where: string[];
  scanRunId?: string;
  scanStartedAt?: string;
  scanAttempt?: number;
  verdict?: 'pass' | 'blocked';
  summary?: string;
  cached?: boolean;
}

/** Manifest releases: the objects to apply, each catalog app's Deployment pinned to an image. */
export interface ManifestPlan {
  objects: Record<string, unknown>[];
  /** App name → the image its Deployment is pinned to (chosen once the release holds the app's slot). */
  pins: Record<string, string>;
  /** Every image the objects name, resolved and gated; a catalog app's own container is pinned instead. */
  images?: GatedImage[];
  /** App → its declared image, resolved and gated: the pin when the app has no verified digest at pin time. */
  fallback?: Record<string, string>;
}

export interface ManifestProgress {
  manifest?: ManifestPlan;
  /** The app slots a manifest release holds (domain/lease.ts), recorded after each take. */
  slots?: string[];
  /** When the apps were pinned, every slot held: the apply deadline counts from here. */
  pinnedAt?: string;
  appliedAt?: string;
}

/**
 * One telemetry sample of one app as the verification decision reads it: counts cumulative since
 * the window's start, in retained rows (what a statistical test may count as observations).
 */
export interface VerifyLook extends Counts {
  /** 1-based sample number (looks in between may have been dropped, see verifyLooks). */
  sample: number;
  /** Seconds after verifyStartedAt. */
  atS: number;
  /** The ItemCount-weighted counts, when sampling made them differ. */
  weighted?: WeightedCounts;
}

/** reconcile: how many ticks in a row the step threw; a step that keeps throwing ends the release. */
export interface TickProgress {
  stepThrows?: number;
}

export interface VerifyProgress {
  smokeAttempt?: number;
  smokePassedAt?: string;
  verifyStartedAt?: string;
  verifyUntil?: string;
  verifyExtended?: boolean;
  telemetryFailures?: number;
  /**
   * Per app: the samples so far, bounded (the first few and the latest ones) so the record stays
   * small however long the window; the decision needs only the latest counts, the evidence the rest.
   */
  verifyLooks?: Record<string, VerifyLook[]>;
  /** Per app: the same-length window before the deploy, in retained rows (blame and regressions). */
  verifyBaseline?: Record<string, Counts>;
}

/** Where a rollback goes: a verified image, the previous revision, or (manifests) a verified commit. */
export type RollbackIntent =
  | { mode: 'image'; image: string; toReleaseId: string; startedAt: string }
  | { mode: 'undo'; startedAt: string; image?: string; pins?: Record<string, string>; undone?: string[] }
  | { mode: 'reapply'; commit: string; startedAt: string; pins?: Record<string, string> };

export interface RollbackProgress {
  rollbackIntent?: RollbackIntent;
  rollbackSetAt?: string;
}

export const NOTICES = ['commit-status', 'deployment', 'issue'] as const;
/**
 * Owed besides NOTICES while GitHub is still processing a release's SARIF upload: its processing
 * status is looked at again (with the notices' backoff) until complete or failed, and the analysis is
 * linked from the release's issue (pipeline/code-scanning.ts).
 */
export const SARIF_NOTICE = 'code-scanning';
export const ALL_NOTICES = [...NOTICES, SARIF_NOTICE] as const;
export type Notice = (typeof ALL_NOTICES)[number];

export interface NotifyProgress {
  githubDeploymentId?: number;
  /** Notices of a terminal release not delivered yet: sent again, with backoff, until delivered or the deadline. */
  notifyPending?: Notice[];
  notifyAttempts?: number;
  /** When the release ended and its notices were first due (the retry deadline counts from here). */
  notifySince?: string;
  /** When the pending notices are sent next; an earlier tick leaves them alone. */
  notifyDueAt?: string;
}

export type ReleaseProgress = PushProgress &
  ResolveProgress &
  BuildProgress &
  ScanProgress &
  DeployProgress &
  ManifestProgress &
  VerifyProgress &
  RollbackProgress &
  NotifyProgress &
  TickProgress;

// ---------------------------------------------------------------- outcome: what people are shown

/** What a release keeps of a scan verdict: enough for people and issues, bounded in size. */
export interface ScanRecord {
  runId: string;
  outcome: 'pass' | 'blocked';
  /** The verdict came from the per-digest cache, not a new scan. */
  cached?: boolean;
  counts: Record<'vulnerabilities' | 'misconfigurations' | 'secrets' | 'blocking', Record<string, number>>;
  blocking: { id: string; severity: string; pkg?: string; installed?: string; fixed?: string; target: string }[];
  blockingTotal: number;
  ignored: { id: string; reason: { by: string; [k: string]: unknown } }[];
  staleIgnores: { file: string; id: string; sections: string[]; line?: number; expiredAt?: string; statement?: string }[];
  trivy: { version: string | null; db: { version?: number | string; updatedAt?: string; nextUpdate?: string } | null };
  policy: {
    severities: string[];
    ignoreUnfixed: boolean;
    blockSecrets: boolean;
    blockMisconfigAt: string | null;
    ignoreFile: string | null;
  };
  notes: string[];
}

/** The signature gate's finding for the digest (SIGNATURE_POLICY / the app's signaturePolicy). */
export interface SignatureRecord {
  policy: 'warn' | 'enforce';
  outcome: 'verified' | 'unsigned' | 'invalid' | 'unreadable';
  summary: string;
  keyId?: string;
  source?: string;
  looked: string[];
  refused: { source: string; why: string }[];
  at: string;
}

export interface BuildRecord {
  runId: string;
  state: 'succeeded' | 'failed';
  reason?: string;
  digest?: string;
  image?: string;
}

export interface RolloutRecord {
  revision?: string;
  replicas: number;
  ready: number;
  available: number;
}

/** A telemetry backend that could not be queried (never blamed on the app). */
export interface TelemetryTrouble {
  at: string;
  from: string;
  error: string;
  failures: number;
}

/** One look at the telemetry, with the limits it was judged by (per app when a release verifies several). */
export type MeasurementRecord = Measurements & {
  /** Requests slower than the P95 threshold (ItemCount-weighted). */
  slow?: number;
  at: string;
  from: string;
  thresholds: Thresholds;
  perApp?: Record<string, Measurements>;
};

/**
 * The telemetry decision as people are shown it (release record, issue): the verdict sentence,
 * the rule with its numbers, one row per kept sample, the window-end test and the baseline. For a
 * release that verifies several apps, the app that decided, and every app's outcome.
 */
export type VerificationRecord = Pick<
  VerificationDecision,
  | 'outcome'
  | 'reason'
  | 'metrics'
  | 'decidedBy'
  | 'samples'
  | 'atS'
  | 'noTraffic'
  | 'blame'
  | 'regressions'
  | 'windowEnd'
  | 'baseline'
  | 'rule'
  | 'evidence'
  | 'verdict'
> & {
  app: string;
  /** The Application Insights role name queried (AppRoleName). */
  role: string;
  at: string;
  from: string;
  windowS: number;
  extended?: boolean;
  perApp?: Record<string, { outcome: VerificationOutcome; verdict: string }>;
};

/** Why a release went to rolling_back, with the cluster's own account of it. */
export interface FailureRecord {
  reason: string;
  at: string;
  rollout?: RolloutRecord;
  podProblems?: PodProblem[];
  smoke?: SmokeResult[];
  telemetry?: TelemetryTrouble;
  measurements?: MeasurementRecord;
  events?: ClusterEvent[];
  /** Why the pod events are missing; a transient error is asked again while the rollback runs. */
  eventsError?: { kind: AdapterErrorKind; message: string };
}

export type RollbackRecord = RollbackIntent & { reason: string; completedAt?: string; revision?: string };

/** What the registry's tags say about this digest after the gate (domain/promotion.ts). */
export interface TagRecord {
  at: string;
  /** Tags pointed at the digest by the deployer (the build's commit tag is there already). */
  added: string[];
  /** Tags not given, and why (a blocked digest never gets latest; latest never moves backwards). */
  withheld?: { tag: string; reason: string }[];
  /** The registry refused or failed; the release goes on (it is pinned by digest), the tags did not move. */
  error?: string;
}

/**
 * Tags that keep a digest in the registry because it runs or was verified (domain/kept-tags.ts):
 * moved when the deployer set it on the cluster (deploy, rollback, manifest apply) or when a release
 * of it succeeded. Tried once; a registry that refuses is recorded here and never holds the release.
 */
export interface KeptTagRecord {
  at: string;
  on: 'deployed' | 'verified';
  repository: string;
  digest: string;
  tags: string[];
  state: 'done' | 'failed';
  error?: string;
}

/** The SARIF of this digest's scan in GitHub code scanning, or why it is not there. */
export interface CodeScanningRecord {
  state: 'uploaded' | 'skipped' | 'failed';
  at: string;
  reason?: string;
  category?: string;
  commit?: string;
  sarifId?: string;
  /** pending | complete | failed, as GitHub last reported it. */
  processing?: string;
  /** How often processing was asked about; when following it was given up (the reason says why). */
  looks?: number;
  gaveUpAt?: string;
  /** The release's issue was told of the analysis (a comment with the link). */
  issueLinked?: string;
  /** The analyses GitHub made of it (API), once processing is complete. */
  analysesUrl?: string;
  /** The Security tab view of this category's alerts for the commit. */
  url?: string;
  results?: number;
}

export interface ReleaseOutcome {
  scan?: ScanRecord;
  signature?: SignatureRecord;
  tags?: TagRecord;
  /** deployed-<env>, verified-<env>, verified-sha256-<hex>: newest last, bounded. */
  keptTags?: KeptTagRecord[];
  codeScanning?: CodeScanningRecord;
  build?: BuildRecord;
  rollout?: RolloutRecord;
  /** Manifest releases: what was applied, pinned to which images, and each image's scan verdict. */
  manifest?: {
    commit: string;
    objects: string[];
    pins: Record<string, string>;
    images?: { image: string; where: string[]; verdict: 'pass' | 'blocked'; summary: string; cached?: boolean }[];
  };
  applied?: string[];
  smoke?: SmokeResult[];
  /** The same-length window before the deploy, as people read it (ItemCount-weighted; the decision uses verifyBaseline). */
  baseline?: Measurements & { from: string; to: string; slow?: number };
  telemetry?: TelemetryTrouble;
  measurements?: MeasurementRecord;
  /** The statistical decision behind the verdict, sample by sample. */
  verification?: VerificationRecord;
  /** A pass with a caveat (inconclusive telemetry, or a regression against the baseline). */
  warning?: string;
  failure?: FailureRecord;
  rollback?: RollbackRecord;
  rollbackFailure?: { reason: string; podProblems: PodProblem[] };
  /** Where else to look: the GitHub issue, … (the view adds `self`). */
  links?: Record<string, string>;
  /** Notices GitHub never took before the retry deadline (NOTIFY_DEADLINE_HOURS): nobody there was told. */
  notifyAbandoned?: { notices: Notice[]; at: string; error: string };
}

/** What a promotion release carries: where it came from and who let it through. */
export interface PromotionRef {
  id: string;
  from: string;
  upstreamReleaseId: string;
  requestedBy: string;
  approvedBy: string[];
  /** The upstream release's record: its scan, rollout and verification evidence. */
  evidence: string;
}
