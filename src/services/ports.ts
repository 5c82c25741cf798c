/**
 * The interfaces the pipeline needs from the world. Adapters in ./adapters implement them;
 * the pipeline and intake import only this file and ./domain — never an SDK.
 */
import type { Result } from './domain/result.js';
import type { Release, Phase, Door, ScanRecord } from './domain/release.js';
import type { NewRelease } from './domain/admission.js';

export type { NewRelease } from './domain/admission.js';
import type { Head } from './domain/head.js';
import type { ClusterEvent, PodProblem, SmokeResult } from './domain/observations.js';
import type { WriteFence, WriteStep } from './domain/writer.js';

export type { ClusterEvent, PodProblem, SmokeResult } from './domain/observations.js';

export interface Clock {
  now(): Date;
}

export type LogFields = Record<string, unknown>;
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger whose every line carries these fields (e.g. correlation_id of one event). */
  child(fields: LogFields): Logger;
}

// ---------------------------------------------------------------- state

/** One unit of work on the queue: "look at this release again". Idempotent by design. */
export interface WorkItem {
  releaseId: string;
  correlationId: string;
}

export interface WorkQueue {
  enqueue(item: WorkItem, opts?: { delaySeconds?: number }): Promise<void>;
}

export interface Workload {
  namespace: string;
  deployment: string;
  container: string;
}

// ---------------------------------------------------------------- cluster

export interface RolloutCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** What the Deployment looks like now; the pipeline's assessRollout decides what it means. */
export interface RolloutObservation {
  generation: number;
  observedGeneration: number;
  /** spec.replicas (kubectl compares updated replicas with the desired count first). */
  desiredReplicas?: number;
  /** status.replicas */
  replicas: number;
  updatedReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  unavailableReplicas: number;
  conditions: RolloutCondition[];
  /** Image currently in the Deployment's pod template for the container. */
  image: string;
  /** deployment.kubernetes.io/revision of the Deployment. */
  revision?: string;
  /** The deployer's last writer token on the Deployment ('' or absent: none). */
  writer?: string;
  annotations: Record<string, string>;
  /** Problems seen on pods of the newest ReplicaSet. */
  podProblems: PodProblem[];
}

export interface DeployAnnotations {
  releaseId: string;
  /** With releaseId, the writer token the change leaves on the Deployment (domain/writer.ts). */
  step: WriteStep;
  commit?: string;
  sourceEvent: string;
  changeCause: string;
}

export interface Cluster {
  observe(w: Workload): Promise<Result<RolloutObservation>>;
  /**
   * Set the container image (already pinned by digest). No-op (changed=false) if already there, or
   * if the fence says this write was done; refused (`invalid`) if another writer came in between.
   * The read, the fence's judgement and the write are one step (a resourceVersion precondition).
   */
  setImage(w: Workload, image: string, annotations: DeployAnnotations, fence?: WriteFence): Promise<Result<{ changed: boolean }>>;
  /** `rollout undo` semantics: re-apply the previous ReplicaSet's template. Fenced like setImage. */
  undo(w: Workload, annotations: DeployAnnotations, fence?: WriteFence): Promise<Result<{ image: string; changed: boolean }>>;
  events(w: Workload, limit?: number): Promise<Result<ClusterEvent[]>>;
  smoke(namespace: string, check: SmokeCheckSpec): Promise<Result<SmokeResult>>;
  /** Server-side apply with field manager "tailspin-deployer". */
  apply(docs: Record<string, unknown>[]): Promise<Result<{ applied: string[] }>>;
  /** Reachability, for /api/health. */
  ping(): Promise<Result<{ version?: string }>>;
}

export type SmokeCheckSpec =
  | { kind: 'service-proxy'; service: string; port: number; path: string; expectStatus: number }
  | { kind: 'url'; url: string; expectStatus: number };

// ---------------------------------------------------------------- scanning

export interface ScanTarget {
  registry: string;
  repository: string;
  digest: string;
}

export type ScanRun =
  | { state: 'running'; runId: string }
  | { state: 'done'; runId: string; report: unknown }
  | { state: 'failed'; runId: string; reason: string; logUrl?: string };

export interface Scanner {
  start(target: ScanTarget): Promise<Result<{ runId: string }>>;
  get(runId: string): Promise<Result<ScanRun>>;
}

// ---------------------------------------------------------------- signatures

/** One signature as the registry holds it: a layer's payload and its signature annotation. */
export interface SignatureCandidate {
  /** Where it was found, for people: "referrer sha256:…" or "tag sha256-….sig". */
  source: string;
  payload: Uint8Array;
  /** The `dev.cosignproject.cosign/signature` annotation (base64). */
  signature: string;
}

/** What the registry holds for one digest: cosign signature payloads, where it looked, what it refused unread. */
export interface SignatureLookup {
  candidates: SignatureCandidate[];
  looked: string[];
  notes: string[];
}

export interface SignatureSource {
  find(target: ScanTarget): Promise<Result<SignatureLookup>>;
}

// ---------------------------------------------------------------- builds

export interface BuildRequest {
  app: string;
  commit: string;
  repository: string;
  dockerfile: string;
  context: string;
  imageNames: string[];
}

export type BuildRun =
  | { state: 'running'; runId: string }
  | { state: 'succeeded'; runId: string; digest?: string; image?: string }
  | { state: 'failed'; runId: string; reason: string; logUrl?: string };

export interface Builder {
  start(req: BuildRequest): Promise<Result<{ runId: string }>>;
  get(runId: string): Promise<Result<BuildRun>>;
  /** Resolve a tag to its digest in the registry (manual door). */
  resolveTag(repository: string, tag: string): Promise<Result<string>>;
}

/**
 * Tags inside the registry: the moving tags (latest, semver) are added to a digest only after the
 * gate passed it, by the registry itself (ACR importImage), never by pulling and pushing here.
 */
export interface ImageTags {
  /** Point `tags` of `repository` at `digest` (moving a tag that exists). */
  tag(repository: string, digest: string, tags: string[]): Promise<Result<void>>;
  /** The commit the image says it was built from (OCI label org.opencontainers.image.revision), if it says. */
  revision(repository: string, digest: string): Promise<Result<string | undefined>>;
}

// ---------------------------------------------------------------- telemetry

export interface TelemetryQuery {
  roleName: string;
  /** AppVersion to filter on when the telemetry carries it. */
  version?: string;
  from: Date;
  to: Date;
  /** Also count requests slower than this (ms, the P95 threshold) as `slow`. */
  slowAboveMs?: number;
}

export interface TelemetrySample {
  requests: number;
  failures: number;
  p95Ms: number | null;
  /** Requests slower than the query's slowAboveMs (ItemCount-weighted); present when it was asked for. */
  slow?: number;
  /**
   * The same counts in retained rows, before ItemCount weighting: what sampling kept, and what a
   * statistical test may count as observations. Equal to the weighted counts without sampling.
   */
  retained?: { requests: number; failures: number; slow?: number };
}

export interface Telemetry {
  requests(q: TelemetryQuery): Promise<Result<TelemetrySample>>;
  ping(): Promise<Result<unknown>>;
}

// ---------------------------------------------------------------- source control (GitHub)

export type CommitState = 'pending' | 'success' | 'failure' | 'error';
export type DeploymentState = 'in_progress' | 'queued' | 'success' | 'failure' | 'inactive' | 'error';

export interface IssueRequest {
  /** Stable marker, e.g. "tailspin-deployer:rollback:tailspin-server:dev:sha256:…", hidden in the body. */
  marker: string;
  title: string;
  body: string;
  labels: string[];
}

export interface CommitComparison {
  status: 'ahead' | 'behind' | 'identical' | 'diverged';
  aheadBy: number;
  behindBy: number;
}

export interface SourceControl {
  setCommitStatus(commit: string, context: string, state: CommitState, description: string, targetUrl?: string): Promise<Result<void>>;
  /** Find an open issue by marker: comment on it; otherwise create it. Returns its URL. */
  ensureIssue(req: IssueRequest): Promise<Result<{ url: string; number: number; created: boolean }>>;
  createDeployment(input: {
    ref: string;
    environment: string;
    description: string;
    payload: Record<string, unknown>;
  }): Promise<Result<{ id: number }>>;
  setDeploymentStatus(
    deploymentId: number,
    state: DeploymentState,
    description: string,
    environmentUrl?: string,
    logUrl?: string,
  ): Promise<Result<void>>;
  /** Add a comment to an issue this port opened (its URL, as ensureIssue answered). */
  commentOnIssue(issueUrl: string, body: string): Promise<Result<void>>;
  /**
   * Where `head` stands against `base` (GitHub's compare, `base...head`): `behind` or `identical` means
   * head is in base's history; `ahead` or `diverged` means it is not. An unknown commit is not-found.
   */
  compareCommits(base: string, head: string): Promise<Result<CommitComparison>>;
  /** Files under a path at a commit (manifest releases). */
  readTree(commit: string, path: string): Promise<Result<{ path: string; content: string }[]>>;
  ping(): Promise<Result<unknown>>;
}

/** GitHub code scanning: SARIF of a scan, shown in the repository's Security tab. */
export interface SarifUpload {
  commit: string;
  /** refs/heads/<branch> or refs/tags/<tag> */
  ref: string;
  /** One per app, so apps' analyses do not replace each other's. */
  category: string;
  sarif: unknown;
}

export interface SarifProcessing {
  processing: 'pending' | 'complete' | 'failed';
  analysesUrl?: string;
  errors?: string[];
}

export interface CodeScanning {
  upload(u: SarifUpload): Promise<Result<{ id: string; url?: string }>>;
  status(id: string): Promise<Result<SarifProcessing>>;
}

// ---------------------------------------------------------------- release store

export interface ReleaseFilter {
  app?: string;
  environment?: string;
  limit?: number;
  /** Only releases in one of these phases (the dashboard's "outcome"). */
  phases?: Phase[];
  door?: Door;
}

/** A page of a newest-first listing (issue #19: served from an index, reads bounded by the page). */
export interface ReleasePageQuery extends ReleaseFilter {
  /** Continue after this position (a previous page's `next`, opaque). */
  after?: string;
  /** Continue after this release (by id: the older form of `after`). */
  before?: string;
}

export interface ReleasePage {
  releases: Release[];
  /** Where the next page starts (opaque), when more may follow. */
  next?: string;
  /** Releases stored before the index existed are still being indexed: older ones may be missing. */
  indexing?: true;
}

// ---------------------------------------------------------------- release store (Azure Tables)

export type CreateOutcome =
  | { kind: 'created'; release: Release; superseded?: string }
  | { kind: 'duplicate'; releaseId: string; reason: string }
  | { kind: 'ignored'; reason: string };

export type EventClaim =
  | { state: 'claimed' }
  /** `fingerprint`: what the first claim recorded of its request (absent on rows written before it was kept). */
  | { state: 'duplicate'; releaseIds: string[]; ignored?: string; inFlight: boolean; fingerprint?: string };

export interface StoredHead extends Head {
  etag?: string;
}

export interface SaveChange {
  /** A phase change is written with a timeline entry in the same transaction. */
  to?: Phase;
  reason?: string;
  /** A head written in the same transaction, compare-and-swap on its etag. */
  head?: StoredHead;
}

export interface ReleaseStore {
  /**
   * Claim a door's idempotency key; a second claim of the same key is a duplicate. A fingerprint
   * (hash of the normalised request) is kept with the claim and handed back to later claims.
   */
  claimEvent(door: Door, key: string, now: Date, fingerprint?: string): Promise<EventClaim>;
  completeEvent(door: Door, key: string, result: { releaseIds: string[]; ignored?: string }): Promise<void>;
  /** Give a claim back when its work failed, so a redelivery is processed instead of answered as a duplicate. */
  releaseEvent(door: Door, key: string): Promise<void>;
  create(input: NewRelease, now: Date): Promise<CreateOutcome>;
  get(id: string): Promise<Release | undefined>;
  list(filter: ReleaseFilter): Promise<Release[]>;
  head(app: string, environment: string): Promise<StoredHead>;
  /**
   * Write one head alone, compare-and-swap on its etag (created when it has none): a manifest release
   * holding or freeing the slot of an app in another partition (domain/lease.ts).
   */
  putHead(head: StoredHead): Promise<Result<StoredHead, 'conflict'>>;
  /** Compare-and-swap on the release's etag (and the head's, when given). */
  save(release: Release, change: SaveChange, now: Date): Promise<Result<Release, 'conflict'>>;
  /** Active releases whose next tick is overdue: the sweeper re-drives them. */
  overdue(now: Date, limit: number): Promise<Release[]>;
  /** One page, newest first, however long history is. */
  page(q: ReleasePageQuery): Promise<ReleasePage>;
  /**
   * Releases created before `before`, `limit` at most, the newest of them first; `after` continues
   * from a previous call's `next`. Index rows whose release is gone are removed on the way.
   */
  expired(before: Date, limit: number, after?: string): Promise<{ releases: Release[]; next?: string }>;
  /** Remove an ended release, its timeline and index rows; `changed` (nothing removed) if it changed since read. */
  remove(release: Release): Promise<'removed' | 'changed'>;
  /** Index releases stored before the index existed, one bounded batch per call; idempotent. */
  backfill(limit: number): Promise<{ done: boolean; indexed: number }>;
}

// ---------------------------------------------------------------- image events admitted after the acknowledgement

/** An ImagePushed event already judged valid at the door, waiting to be admitted. */
export interface DeferredImage {
  id: string;
  app: string;
  registry: string;
  repository: string;
  digest: string;
  tag?: string;
}

/** Where the ACR door puts the image events of a batch too large to admit before Event Grid's 30 s. */
export interface AdmissionQueue {
  defer(items: DeferredImage[]): Promise<void>;
}

// ---------------------------------------------------------------- events accepted at the door, admitted behind the queue

/** One release an accepted event asks for, its id reserved when the door answered. */
export interface ReservedRelease {
  id: string;
  input: NewRelease;
}

/** An event the GitHub or ACR door accepted: admitted later, off the request path, by the admission queue's worker. */
export interface AcceptedEvent {
  door: Door;
  key: string;
  /** When the door accepted it: the reserved releases' creation time (so a repeated admission writes the same rows). */
  acceptedAt: string;
  releases: ReservedRelease[];
}

export type Acceptance =
  | { state: 'accepted'; releaseIds: string[] }
  /** `inFlight`: the first delivery's acceptance is not known to have reached the queue yet (it may have died in between). */
  | { state: 'duplicate'; releaseIds: string[]; inFlight: boolean; ignored?: string };

/** What admission made of a reserved release id. */
export type Admission =
  | { id: string; outcome: 'release' }
  | { id: string; outcome: 'duplicate'; of: string; reason: string }
  | { id: string; outcome: 'ignored'; reason: string };

export type ReservationState = { id: string; door: Door; acceptedAt: string } & ({ outcome: 'pending' } | Admission);

/**
 * The doors' idempotency keys with the release ids reserved for them: one write claims a key and
 * reserves its ids; the admission worker settles them.
 */
export interface IntakeLedger {
  /** The ids to accept `key` with: derived from its claim, so the claim alone answers for them (no row per id). */
  reserveIds(key: string, count: number, now: Date): string[];
  /** Claim `key` for `releaseIds`; a key claimed before answers with its first ids (a stale unsettled claim is taken over). */
  accept(door: Door, key: string, releaseIds: string[], now: Date): Promise<Acceptance>;
  /** Undo an acceptance whose message could not be queued, so a redelivery is accepted afresh. */
  withdraw(door: Door, key: string, releaseIds: string[]): Promise<void>;
  /** The ids `key` is claimed for, and whether admission settled them; undefined when unclaimed. */
  claimOf(door: Door, key: string): Promise<{ releaseIds: string[]; settled: boolean } | undefined>;
  /** Record what admission made of each reserved id and mark the key done. */
  settle(door: Door, key: string, admissions: Admission[]): Promise<void>;
  /** What became of a reserved release id; undefined when it was never reserved. */
  reservation(id: string): Promise<ReservationState | undefined>;
}

/** Where accepted events wait for admission. */
export interface AcceptedQueue {
  send(events: AcceptedEvent[]): Promise<void>;
}

// ---------------------------------------------------------------- notifications not delivered yet

/** One ended release whose notices GitHub has not taken yet. */
export interface OutboxEntry {
  releaseId: string;
  correlationId: string;
  /** When the release ended: the backlog's age. */
  since: string;
  /** When the notices are sent next; the sweeper re-drives entries past it. */
  dueAt: string;
}

/**
 * An index of ended releases with undelivered notices (the release row holds what is pending).
 * It lets the sweeper find them after a restart and /api/health count them without a table scan.
 */
export interface NotifyOutbox {
  /** Upsert; `since` is kept from the first put. */
  put(entry: OutboxEntry): Promise<void>;
  remove(releaseId: string): Promise<void>;
  due(now: Date, limit: number): Promise<OutboxEntry[]>;
  backlog(): Promise<{ count: number; oldestSince?: string }>;
}

// ---------------------------------------------------------------- scan verdict cache

export interface CachedVerdict {
  outcome: 'pass' | 'blocked';
  summary: string;
  verdict: ScanRecord;
  scannedAt: string;
  expiresAt: string;
}

export interface ScanCache {
  get(key: string, now: Date): Promise<CachedVerdict | undefined>;
  put(key: string, v: CachedVerdict): Promise<void>;
}
